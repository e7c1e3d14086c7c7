import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readEnv } from "../runtime/src/internal/env.ts";
import { uuid4 } from "../runtime/src/internal/uuid.ts";

const root = join(import.meta.dirname, "..", "runtime", "src");
const files = readdirSync(root, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));

describe("runtime portability (browsers and Node >= 20, copied verbatim)", () => {
  it("imports nothing but its own files, always with an explicit .ts extension", () => {
    expect(files.length).toBeGreaterThan(8);
    for (const file of files) {
      const source = readFileSync(join(root, file), "utf8");
      for (const [, spec] of source.matchAll(/\bfrom\s+"([^"]+)"/g)) {
        expect(spec, `${file} imports ${spec}`).toMatch(/^\.\.?\/.*\.ts$/);
      }
      expect(source, file).not.toMatch(/\brequire\(|\bimport\(/);
    }
  });

  it("uses no Node globals directly and no non-erasable TypeScript syntax", () => {
    for (const file of files) {
      const source = readFileSync(join(root, file), "utf8");
      expect(source, file).not.toMatch(/(^|[^.\w])(process|Buffer|__dirname|require)\b[.(]/m);
      expect(source, file).not.toMatch(/^\s*(export\s+)?(const\s+)?enum\s|^\s*(export\s+)?namespace\s/m);
    }
  });

  it("readEnv works without process and treats blank values as unset", () => {
    process.env.PORTABILITY_X = "  ";
    expect(readEnv("PORTABILITY_X")).toBeUndefined();
    process.env.PORTABILITY_X = " v ";
    expect(readEnv("PORTABILITY_X")).toBe("v");
    delete process.env.PORTABILITY_X;
    const saved = globalThis.process;
    try {
      // biome-ignore lint/suspicious/noExplicitAny: simulate a browser without `process`
      (globalThis as any).process = undefined;
      expect(readEnv("PATH")).toBeUndefined();
    } finally {
      globalThis.process = saved;
    }
  });

  it("uuid4 falls back to Math.random without Web Crypto", () => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, "crypto");
    try {
      Object.defineProperty(globalThis, "crypto", { value: undefined, configurable: true });
      expect(uuid4()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    } finally {
      if (saved) Object.defineProperty(globalThis, "crypto", saved);
    }
    expect(uuid4()).not.toBe(uuid4());
  });
});
