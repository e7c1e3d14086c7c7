import { describe, expect, it } from "vitest";
import { jsonEqual, mergePatch } from "./inputs.ts";

describe("mergePatch", () => {
  it("merges RFC 7396 style: objects recursively, null removes, anything else replaces", () => {
    expect(mergePatch({ a: 1, b: { c: 2, d: 3 } }, { b: { c: null, e: 4 }, f: [1] })).toEqual({
      a: 1,
      b: { d: 3, e: 4 },
      f: [1],
    });
  });

  it("keeps members named like Object.prototype's as data (JSON from a client)", () => {
    const patch = JSON.parse('{"__proto__":{"x":1},"constructor":{"y":2},"toString":3}');
    const merged = mergePatch({}, patch) as Record<string, unknown>;
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(JSON.stringify(merged)).toBe('{"__proto__":{"x":1},"constructor":{"y":2},"toString":3}');
    const again = mergePatch(merged, JSON.parse('{"__proto__":{"z":3},"constructor":null}'));
    expect(JSON.stringify(again)).toBe('{"__proto__":{"x":1,"z":3},"toString":3}');
  });
});

describe("jsonEqual", () => {
  it("compares own members only", () => {
    expect(jsonEqual(JSON.parse('{"toString":1}'), JSON.parse('{"valueOf":1}'))).toBe(false);
    expect(jsonEqual(JSON.parse('{"__proto__":1}'), JSON.parse('{"__proto__":1}'))).toBe(true);
  });
});
