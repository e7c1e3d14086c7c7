// The built package works as published: ESM and CommonJS entry points, with declarations.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const dist = join(import.meta.dirname, "../dist");
const require = createRequire(import.meta.url);

describe("the built package", () => {
  it("loads through ESM and CommonJS, and ships declarations", async () => {
    const esm = (await import(join(dist, "esm/index.js"))) as { TKA: new (o: object) => { sequences: object } };
    const cjs = require(join(dist, "cjs/index.js")) as {
      TKA: new (o: object) => { sequences: object };
      NotFoundError: unknown;
    };
    expect(new esm.TKA({ apiKey: "k" }).sequences).toBeDefined();
    expect(new cjs.TKA({ apiKey: "k" }).sequences).toBeDefined();
    expect(cjs.NotFoundError).toBeTypeOf("function");
    expect(existsSync(join(dist, "esm/index.d.ts"))).toBe(true);
    expect(existsSync(join(dist, "cjs/index.d.ts"))).toBe(true);
  });
});
