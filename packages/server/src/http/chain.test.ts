import { Hono, type MiddlewareHandler } from "hono";
import { every } from "hono/combine";
import { describe, expect, it } from "vitest";
import { chain } from "./chain.ts";

/** Middlewares that record what they see; `stop` answers without going on, `boom` throws. */
function recorder(trace: string[]) {
  const step =
    (name: string): MiddlewareHandler =>
    async (c, next) => {
      trace.push(`${name}>`);
      if (c.req.query("stop") === name) return c.text(`stopped by ${name}`, 403);
      if (c.req.query("boom") === name) throw new Error(`boom in ${name}`);
      await next();
      trace.push(`<${name} ${c.res.status}`);
      c.res.headers.append("X-Seen", name);
    };
  return [step("a"), step("b"), step("c")];
}

/** The same route guarded three ways: our chain, Hono's `every`, and plain sequential middlewares. */
function build(kind: "chain" | "every" | "sequence", trace: string[]) {
  const app = new Hono();
  const [a, b, c] = recorder(trace) as [MiddlewareHandler, MiddlewareHandler, MiddlewareHandler];
  const handler = (ctx: { req: { query(k: string): string | undefined } } & Parameters<MiddlewareHandler>[0]) => {
    trace.push("handler");
    if (ctx.req.query("boom") === "handler") throw new Error("boom in handler");
    return ctx.text("ok");
  };
  if (kind === "chain") app.get("/x", chain(a, b, c), handler);
  if (kind === "every") app.get("/x", every(a, b, c), handler);
  if (kind === "sequence") app.get("/x", a, b, c, handler);
  app.onError((error, ctx) => ctx.text(error.message, 500));
  return app;
}

describe("chain", () => {
  const cases = ["", "?stop=a", "?stop=b", "?stop=c", "?boom=a", "?boom=b", "?boom=c", "?boom=handler"];

  it.each(cases)("runs /x%s like Hono's every", async (query) => {
    const seen = await Promise.all(
      (["chain", "every"] as const).map(async (kind) => {
        const trace: string[] = [];
        const res = await build(kind, trace).request(`/x${query}`);
        return { status: res.status, body: await res.text(), seen: res.headers.get("X-Seen"), trace };
      }),
    );
    expect(seen[0]).toEqual(seen[1]);
  });

  it.each(["", "?stop=a", "?stop=b", "?stop=c", "?boom=handler"])(
    "runs /x%s like the same middlewares in sequence",
    async (query) => {
      const seen = await Promise.all(
        (["chain", "sequence"] as const).map(async (kind) => {
          const trace: string[] = [];
          const res = await build(kind, trace).request(`/x${query}`);
          return { status: res.status, body: await res.text(), seen: res.headers.get("X-Seen"), trace };
        }),
      );
      expect(seen[0]).toEqual(seen[1]);
    },
  );

  it("wraps the rest in order, and an answer stops it", async () => {
    const trace: string[] = [];
    const res = await build("chain", trace).request("/x?stop=b");
    expect(res.status).toBe(403);
    expect(res.headers.get("X-Seen")).toBe("a");
    expect(trace).toEqual(["a>", "b>", "<a 403"]);
  });

  it("passes through with no middleware", async () => {
    const app = new Hono();
    app.get("/x", chain(), (c) => c.text("ok"));
    expect(await (await app.request("/x")).text()).toBe("ok");
  });
});
