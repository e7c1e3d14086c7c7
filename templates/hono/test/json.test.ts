import { describe, expect, it } from "vitest";
import { defaultJsonLimits, type JsonLimits, parseJson, textErrors } from "../runtime/json.ts";

const utf8 = (text: string) => new TextEncoder().encode(text);
const small: JsonLimits = { maxDepth: 4, maxMembers: 10, maxStringLength: 8 };
const parse = (text: string, limits: JsonLimits = small) => parseJson(utf8(text), limits);

function problemOf(text: string | Uint8Array, limits: JsonLimits = small) {
  const result = typeof text === "string" ? parse(text, limits) : parseJson(text, limits);
  if (result.ok) throw new Error(`expected a problem for ${String(text).slice(0, 80)}`);
  return result.problem;
}

describe("parseJson", () => {
  it("parses JSON within the limits exactly as JSON.parse does", () => {
    const texts = [
      "{}",
      "[]",
      '"12345678"',
      '{"a":[1,{"b":"c"}],"d":null}',
      " [ 1 , 2 , [ ] , { } ] ",
      '{"k\\"ey":"v\\\\","e":"\\u00e9\\ud83d\\ude00"}',
      "123",
    ];
    for (const text of texts) expect(parse(text)).toEqual({ ok: true, value: JSON.parse(text) });
  });

  it("refuses nesting deeper than maxDepth with 413, naming where", () => {
    expect(parse("[[[[1]]]]").ok).toBe(true);
    const problem = problemOf('{"a":[{"b":[[1]]}]}');
    expect(problem).toMatchObject({ status: 413, code: "PAYLOAD_TOO_LARGE" });
    expect(problem.detail).toContain("maxDepth = 4");
    expect(problem.errors).toEqual([
      { field: "/a/0/b/0", code: "maxDepth", message: "must nest at most 4 levels deep" },
    ]);
    expect(problemOf("[[[[[").errors[0]?.field).toBe("/0/0/0/0");
  });

  it("never recurses: 1,000,000 levels are refused at once, and so is the issue's 4,096-deep metadata", () => {
    const deep = "[".repeat(1_000_000) + "]".repeat(1_000_000);
    expect(problemOf(deep, defaultJsonLimits).errors[0]?.code).toBe("maxDepth");
    const metadata = `{"name":"t","metadata":{"a":${"[".repeat(4096)}${"]".repeat(4096)}}}`;
    const problem = problemOf(metadata, defaultJsonLimits);
    expect(problem.errors[0]).toMatchObject({ code: "maxDepth" });
    expect(problem.errors[0]?.field).toMatch(/^\/metadata\/a(\/0)+$/);
  });

  it("counts members and elements across the whole body", () => {
    expect(parse('{"a":[1,2,3],"b":{"c":1,"d":2},"e":[1,2]}').ok).toBe(true); // 3 + 3 + 2 + 2 = 10
    const problem = problemOf('{"a":[1,2,3],"b":{"c":1,"d":2},"e":[1,2,3]}');
    expect(problem).toMatchObject({ status: 413, errors: [{ field: "/e", code: "maxMembers" }] });
    expect(problemOf(`[${"0,".repeat(10)}0]`).errors[0]?.field).toBe("body");
  });

  it("limits strings and member names, counting an escape as one character", () => {
    expect(parse('["\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"]').ok).toBe(true);
    expect(problemOf('{"a":{"b":"123456789"}}').errors).toEqual([
      { field: "/a/b", code: "maxStringLength", message: "must be at most 8 characters long" },
    ]);
    expect(problemOf('{"a":{"123456789":1}}').errors).toEqual([
      { field: "/a", code: "maxStringLength", message: "has a member name longer than 8 characters" },
    ]);
    // A long string is measured without being copied: 10 MB against a limit of 8 stops at once.
    expect(problemOf(`"${"x".repeat(10_000_000)}"`).errors[0]?.field).toBe("body");
  });

  it("names keys with / and ~ as escaped pointer segments", () => {
    expect(problemOf('{"a/b":{"c~d":"123456789"}}').errors[0]?.field).toBe("/a~1b/c~0d");
  });

  it("refuses bytes that are not UTF-8 with 400, never replacing them", () => {
    for (const bytes of [
      new Uint8Array([0x22, 0xff, 0xfe, 0xfd, 0x22]),
      new Uint8Array([0x22, 0xc3, 0x22]),
      new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22]), // an encoded surrogate
    ]) {
      expect(problemOf(bytes)).toMatchObject({ status: 400, errors: [{ field: "body", code: "encoding" }] });
    }
  });

  it("400s text that is not JSON (the scan leaves syntax to JSON.parse)", () => {
    for (const text of ["{", '{"a" 1}', "[1,]", '"\u0000"', "", "nul"]) {
      expect(problemOf(text)).toMatchObject({ status: 400, errors: [{ field: "body", code: "json" }] });
    }
  });

  it("422s U+0000 and unpaired surrogates in strings and member names, naming each", () => {
    const problem = problemOf(
      '{"name":"a\\u0000b","ok":"\\ud83d\\ude00","m":{"x\\u0000":1,"y":["\\ud800","\\udc00x"]}}',
      defaultJsonLimits,
    );
    expect(problem.status).toBe(422);
    expect(problem.code).toBe("VALIDATION_FAILED");
    expect(problem.errors).toEqual([
      { field: "/name", code: "nul_character", message: "must not contain U+0000 (NUL)" },
      { field: "/m", code: "nul_character", message: "has a member name that must not contain U+0000 (NUL)" },
      { field: "/m/y/0", code: "unpaired_surrogate", message: "must not contain unpaired UTF-16 surrogates" },
      { field: "/m/y/1", code: "unpaired_surrogate", message: "must not contain unpaired UTF-16 surrogates" },
    ]);
    expect(problemOf('"\\u0000"', defaultJsonLimits).errors[0]?.field).toBe("body");
    expect(parseJson(utf8('"a\\u0000"'), defaultJsonLimits, { allowNul: true })).toEqual({
      ok: true,
      value: "a\u0000",
    });
  });
});

describe("textErrors", () => {
  it("walks any depth without recursion", () => {
    let value: unknown = "a\u0000";
    for (let i = 0; i < 100_000; i++) value = [value];
    const errors = textErrors(value, "");
    expect(errors).toHaveLength(1);
    expect(errors[0]?.field.length).toBe(200_000);
  });
});
