// Parameter styles of path, header, cookie and (non-exploded object) query parameters, checked
// against the OpenAPI specification's style examples (color = blue / [blue, black, brown] /
// {R: 100, G: 200, B: 150}), then sent over a real local server.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { joinedObject, styleCookie, styleHeader, stylePath, styleValue } from "../runtime/src/index.ts";
import { TestClient } from "./helpers.ts";

const primitive = "blue";
const array = ["blue", "black", "brown"];
const object = { R: 100, G: 200, B: 150 };

describe("the style table", () => {
  it.each([
    ["simple", false, "blue", "blue,black,brown", "R,100,G,200,B,150"],
    ["simple", true, "blue", "blue,black,brown", "R=100,G=200,B=150"],
    ["label", false, ".blue", ".blue,black,brown", ".R,100,G,200,B,150"],
    ["label", true, ".blue", ".blue.black.brown", ".R=100.G=200.B=150"],
    ["matrix", false, ";color=blue", ";color=blue,black,brown", ";color=R,100,G,200,B,150"],
    ["matrix", true, ";color=blue", ";color=blue;color=black;color=brown", ";R=100;G=200;B=150"],
    ["form", false, "color=blue", "color=blue,black,brown", "color=R,100,G,200,B,150"],
    ["form", true, "color=blue", "color=blue&color=black&color=brown", "R=100&G=200&B=150"],
  ] as const)("%s explode=%s", (style, explode, one, many, members) => {
    expect(styleValue(style, "color", primitive, explode)).toBe(one);
    expect(styleValue(style, "color", array, explode)).toBe(many);
    expect(styleValue(style, "color", object, explode)).toBe(members);
    expect(styleValue(style, "color", undefined, explode)).toBeUndefined();
  });

  it("percent-encodes path values but not their delimiters; cookies pair up with '; '", () => {
    expect(stylePath("label", "id", ["a/b", "c d"], true)?.text).toBe(".a%2Fb.c%20d");
    expect(stylePath("matrix", "id", { "k/1": "v;" }, true)?.text).toBe(";k%2F1=v%3B");
    expect(styleCookie("c", ["a b", "c"], true)?.text).toBe("c=a%20b; c=c");
    expect(styleCookie("c", { x: 1, y: 2 }, true)?.text).toBe("x=1; y=2");
    expect(styleHeader({ a: 1, b: 2 }, false)).toBe("a,1,b,2");
    expect(joinedObject(object, "|")).toBe("R|100|G|200|B|150");
  });
});

describe("styled parameters on the wire", () => {
  let server: Server;
  let baseURL: string;
  let seen: { url: string; header: string | undefined; cookie: string | undefined } | undefined;

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen = { url: req.url ?? "", header: req.headers["x-ids"] as string, cookie: req.headers.cookie };
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("fills the path, header and cookie with their styled text", async () => {
    const client = new TestClient({ baseURL, apiKey: null, bearerToken: null });
    await client.request({
      method: "get",
      path: "/items/{ids}/{point}",
      pathParams: { ids: stylePath("label", "ids", [1, 2], false), point: stylePath("matrix", "point", object, true) },
      headers: { "X-Ids": styleHeader([1, 2, 3], false) },
      cookies: { prefs: styleCookie("prefs", { theme: "dark", size: 2 }, true), session: "s 1" },
      query: { filter: joinedObject({ a: 1 }, ",") },
    });
    expect(seen?.url).toBe("/items/.1,2/;R=100;G=200;B=150?filter=a%2C1");
    expect(seen?.header).toBe("1,2,3");
    expect(seen?.cookie).toBe("theme=dark; size=2; session=s%201");
  });
});
