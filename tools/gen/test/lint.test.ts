import { describe, expect, it } from "vitest";
import { jsonObjects } from "../src/steps/lint.ts";

describe("jsonObjects (Redocly's JSON reports of several documents)", () => {
  it("reads objects written one after another, braces inside strings included", () => {
    const text = '{\n  "totals": {"errors": 0}\n}{"problems": [{"message": "a } and a { and a \\" quote"}]}\n';
    expect(jsonObjects(text)).toEqual([
      { totals: { errors: 0 } },
      { problems: [{ message: 'a } and a { and a " quote' }] },
    ]);
  });

  it("skips text around the objects and gives undefined for a broken one", () => {
    expect(jsonObjects('validating...\n{"a": 1}\ndone {"b": }')).toEqual([{ a: 1 }, undefined]);
    expect(jsonObjects("no report")).toEqual([]);
  });
});
