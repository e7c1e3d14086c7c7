import { describe, expect, it } from "vitest";
import { type BuildContext, buildRequest, etag, nearest, parseCommandLine, scalar } from "../runtime/args.ts";
import { UsageError } from "../runtime/errors.ts";
import { commands } from "./fixture.ts";

const command = (name: string) => commands.find((c) => c.name === name) as (typeof commands)[number];
const files: Record<string, Uint8Array> = {
  "body.json": new TextEncoder().encode('{"name":"from file","size":2}'),
  "latin1.json": new Uint8Array([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d]),
};
const context: BuildContext = {
  readStdin: () => new TextEncoder().encode('{"name":"from stdin"}'),
  readFile: (path) => {
    const data = files[path];
    if (data === undefined) throw Object.assign(new Error("no such file"), { code: "ENOENT" });
    return data;
  },
};
const build = (name: string, argv: string[]) =>
  buildRequest(command(name), parseCommandLine(command(name), argv, "thing"), "thing", context);
const usage = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as UsageError).message + ((error as UsageError).hint ?? "");
  }
  throw new Error("expected a usage error");
};

describe("values", () => {
  it("turns flag text into the declared type, refusing what does not fit", () => {
    expect(scalar("42", "integer", "--n")).toBe(42);
    expect(scalar("-3", "integer", "--n")).toBe(-3);
    for (const bad of ["1.5", "1e3", "abc", "", "99999999999999999999"]) {
      expect(usage(() => scalar(bad, "integer", "--n"))).toMatch(/--n expects an integer/);
    }
    expect(scalar("0.5", "number", "--n")).toBe(0.5);
    for (const bad of ["1e400", "NaN", "", "abc", "Infinity"]) {
      expect(usage(() => scalar(bad, "number", "--n"))).toMatch(/--n expects a number/);
    }
    expect(scalar("false", "boolean", "--b")).toBe(false);
    expect(usage(() => scalar("yes", "boolean", "--b"))).toMatch(/true or false/);
    expect(scalar('{"a":[1]}', "json", "--j")).toEqual({ a: [1] });
    expect(usage(() => scalar("{a:1}", "json", "--j"))).toMatch(/--j expects JSON/);
  });

  it("quotes a bare version as a strong entity tag and leaves tags and * alone", () => {
    expect(etag("7")).toBe('"7"');
    expect(etag('"7"')).toBe('"7"');
    expect(etag("*")).toBe("*");
    expect(etag('W/"7"')).toBe('W/"7"');
    expect(etag("7, 8")).toBe('"7", "8"');
  });

  it("suggests the nearest name within two edits", () => {
    expect(nearest("nmae", ["name", "size"])).toBe("name");
    expect(nearest("zzzzzz", ["name", "size"])).toBeUndefined();
  });
});

describe("the command line", () => {
  it("refuses unknown flags with a suggestion, and flags that need a value without one", () => {
    expect(usage(() => parseCommandLine(command("create"), ["--nmae", "x"], "thing"))).toMatch(
      /unknown flag --nmae.*did you mean --name/,
    );
    expect(usage(() => parseCommandLine(command("create"), ["--name"], "thing"))).toMatch(/argument missing/);
    expect(usage(() => parseCommandLine(command("create"), ["--verbose=yes"], "thing"))).toMatch(
      /does not take an argument/,
    );
  });

  it("takes path parameters as arguments, exactly as many as the path has, never empty", () => {
    expect(build("get", ["t1"]).spec).toEqual({
      method: "get",
      path: "/things/{thing_id}",
      pathParams: { thing_id: "t1" },
    });
    expect(usage(() => build("get", []))).toMatch(/takes <thing-id>; got 0 arguments/);
    expect(usage(() => build("get", ["a", "b"]))).toMatch(/got 2 arguments/);
    // An empty id would turn GET /things/{id} into GET /things/.
    expect(usage(() => build("get", [""]))).toMatch(/<thing-id> must not be empty/);
    expect(build("get", ["--", "-odd-id"]).spec.pathParams).toEqual({ thing_id: "-odd-id" });
  });

  it("builds query parameters: repeated and comma-separated enum lists, delimited lists, deep objects", () => {
    const spec = build("list", [
      "--kinds",
      "a,b",
      "--kinds",
      "c",
      "--ids",
      "1",
      "--ids",
      "2,3",
      "--filter",
      '{"x":"1","y":2}',
      "--limit",
      "5",
    ]).spec;
    expect(spec.query).toEqual({ kinds: ["a", "b", "c"], ids: "1,2,3", "filter[x]": "1", "filter[y]": 2, limit: 5 });
    expect(usage(() => build("list", ["--ids", "1,x"]))).toMatch(/--ids expects an integer/);
  });

  it("sends If-Match quoted, and hands the idempotency key and Last-Event-ID to the SDK, not as headers", () => {
    const built = build("update", ["t1", "--if-match", "3", "--idempotency-key", "k-1", "--name", "n"]);
    expect(built.spec.headers).toEqual({ "If-Match": '"3"' });
    expect(built.idempotencyKey).toBe("k-1");
    const stream = build("stream", ["--last-event-id", "evt_9"]);
    expect(stream.lastEventId).toBe("evt_9");
    expect(stream.spec.headers).toBeUndefined();
  });
});

describe("the body", () => {
  it("is assembled from field flags, typed", () => {
    const { spec } = build("create", [
      "--name",
      "A",
      "--size",
      "3",
      "--weight",
      "null",
      "--shiny",
      "--tags",
      "x,y",
      "--tags",
      "z",
      "--extra",
      '{"k":[1]}',
    ]);
    expect(spec.body).toEqual({ name: "A", size: 3, weight: null, shiny: true, tags: ["x,y", "z"], extra: { k: [1] } });
    expect(spec.contentType).toBe("application/json");
    expect(build("create", ["--name", "A", "--no-shiny"]).spec.body).toEqual({ name: "A", shiny: false });
  });

  it("takes --data or --data-file, with field flags on top (they win)", () => {
    expect(build("create", ["--data", '{"name":"D","size":1}', "--size", "9"]).spec.body).toEqual({
      name: "D",
      size: 9,
    });
    expect(build("create", ["--data-file", "body.json", "--name", "F"]).spec.body).toEqual({ name: "F", size: 2 });
    expect(build("create", ["--data-file", "-"]).spec.body).toBe('{"name":"from stdin"}');
    // A patch may set a member to null.
    expect(build("update", ["t1", "--name", "null"]).spec.body).toEqual({ name: null });
  });

  it("sends JSON given whole exactly as written, however deep (the server's limits answer)", () => {
    const deep = `{"name":"x","extra":${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
    expect(build("create", ["--data", deep]).spec.body).toBe(deep);
  });

  it("refuses what cannot be a body, before anything is sent", () => {
    expect(usage(() => build("create", []))).toMatch(/missing --name/);
    expect(usage(() => build("create", ["--data", "{not json"]))).toMatch(/--data is not valid JSON/);
    expect(usage(() => build("create", ["--data", "[1]", "--name", "x"]))).toMatch(/must be a JSON object/);
    expect(usage(() => build("create", ["--data", "{}", "--data-file", "body.json"]))).toMatch(/not both/);
    expect(usage(() => build("create", ["--data", '{"size":1}']))).toMatch(/missing --name/);
    expect(usage(() => build("create", ["--data-file", "missing.json"]))).toMatch(
      /cannot read --data-file missing.json: ENOENT/,
    );
    expect(usage(() => build("create", ["--data-file", "latin1.json"]))).toMatch(/latin1.json is not valid UTF-8/);
    expect(usage(() => build("create", ["--name", "x", "--size", "2.5"]))).toMatch(/--size expects an integer/);
  });

  it("sends a file as bytes for a binary body", () => {
    const { spec } = build("upload", ["t1", "--data-file", "latin1.json"]);
    expect(spec.body).toEqual(files["latin1.json"]);
    expect(spec.contentType).toBe("application/octet-stream");
    expect(usage(() => build("upload", ["t1"]))).toMatch(/sends a file/);
  });
});
