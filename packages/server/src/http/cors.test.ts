import { Hono } from "hono";
import { cors as honoCors } from "hono/cors";
import { describe, expect, it } from "vitest";
import { cors } from "./cors.ts";

const options = {
  origins: ["https://app.example"],
  exposeHeaders: ["ETag", "X-Request-Id"],
  allowHeaders: ["Content-Type", "If-Match"],
  maxAge: 600,
};

/** The same app with our middleware and with Hono's, to compare answers header by header. */
function apps() {
  const build = (middleware: ReturnType<typeof cors>) => {
    const app = new Hono();
    app.use(middleware);
    app.get("/ok", (c) => c.json({ ok: true }, 200, { ETag: '"1"', Vary: "Accept" }));
    app.get("/early", () => new Response("no", { status: 401 }));
    app.get("/boom", () => {
      throw new Error("boom");
    });
    app.onError((_, c) => c.json({ error: true }, 500));
    return app;
  };
  return {
    ours: build(cors(options)),
    hono: build(
      honoCors({
        origin: (o) => (options.origins.includes(o) ? o : null),
        exposeHeaders: [...options.exposeHeaders],
        allowHeaders: [...options.allowHeaders],
        maxAge: options.maxAge,
      }),
    ),
  };
}

const headersOf = (res: Response) => [...res.headers].sort(([a], [b]) => a.localeCompare(b));

describe("cors", () => {
  const cases: [string, RequestInit][] = [
    ["/ok", {}],
    ["/ok", { headers: { Origin: "https://app.example" } }],
    ["/ok", { headers: { Origin: "https://evil.example" } }],
    ["/early", { headers: { Origin: "https://app.example" } }],
    ["/boom", { headers: { Origin: "https://app.example" } }],
    ["/nothing", { headers: { Origin: "https://app.example" } }],
    [
      "/ok",
      {
        method: "OPTIONS",
        headers: { Origin: "https://app.example", "Access-Control-Request-Method": "PATCH" },
      },
    ],
    ["/ok", { method: "OPTIONS", headers: { Origin: "https://evil.example" } }],
  ];

  it.each(cases)("answers %s %o with exactly the headers of Hono's cors", async (path, init) => {
    const { ours, hono } = apps();
    const [a, b] = [await ours.request(path, init), await hono.request(path, init)];
    expect(a.status).toBe(b.status);
    expect(headersOf(a)).toEqual(headersOf(b));
    expect(await a.text()).toBe(await b.text());
  });

  it("leaves an OPTIONS without Origin (not a preflight) to the routes", async () => {
    const { ours } = apps();
    expect((await ours.request("/ok", { method: "OPTIONS" })).status).toBe(404);
  });

  it("allows configured origins only", async () => {
    const { ours } = apps();
    const allowed = await ours.request("/ok", { headers: { Origin: "https://app.example" } });
    expect(allowed.headers.get("Access-Control-Allow-Origin")).toBe("https://app.example");
    expect(allowed.headers.get("Vary")).toBe("Accept, Origin");
    const other = await ours.request("/ok", { headers: { Origin: "https://evil.example" } });
    expect(other.headers.get("Access-Control-Allow-Origin")).toBeNull();
    expect(other.headers.get("Access-Control-Expose-Headers")).toBe("ETag,X-Request-Id");
  });
});
