import { describe, expect, it } from "vitest";
import { type SchemaRegistry, Validator } from "../runtime/validate.ts";

const registry: SchemaRegistry = {
  Turns: { type: "number", minimum: 0, maximum: 4, multipleOf: 0.5 },
  Kind: { oneOf: [{ const: "pro" }, { const: "anti" }] },
  Motion: {
    type: "object",
    required: ["kind"],
    properties: { kind: { $ref: "#/components/schemas/Kind" }, turns: { $ref: "#/components/schemas/Turns" } },
  },
  Beat: {
    type: "object",
    properties: {
      id: { type: "string", readOnly: true },
      letter: { anyOf: [{ type: "string", pattern: "^[A-Za-z]$" }, { type: "null" }] },
      duration: { type: "number", exclusiveMinimum: 0, maximum: 10 },
      blue_motion: { $ref: "#/components/schemas/Motion" },
      metadata: { type: "object", additionalProperties: {} },
    },
  },
  Create: {
    type: "object",
    required: ["name"],
    properties: {
      name: { type: "string", minLength: 1, maxLength: 5 },
      beats: { type: "array", maxItems: 2, items: { $ref: "#/components/schemas/Beat" } },
      at: { type: "string", format: "date-time" },
      count: { type: "integer" },
    },
  },
  Ping: { type: "object", required: ["type"], properties: { type: { type: "string", enum: ["ping"] } } },
  Auth: {
    type: "object",
    required: ["type", "token"],
    properties: { type: { type: "string", enum: ["auth"] }, token: { type: "string" } },
  },
  Message: {
    oneOf: [{ $ref: "#/components/schemas/Ping" }, { $ref: "#/components/schemas/Auth" }],
    discriminator: {
      propertyName: "type",
      mapping: { ping: "#/components/schemas/Ping", auth: "#/components/schemas/Auth" },
    },
  },
};
const v = new Validator(registry);
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

describe("Validator", () => {
  it("accepts a valid value", () => {
    const value = {
      name: "Flow",
      beats: [{ letter: "a", duration: 10, blue_motion: { kind: "pro", turns: 1.5 }, metadata: { x: [1] } }],
    };
    expect(v.validate(ref("Create"), value)).toEqual([]);
    expect(
      v.validate(ref("Create"), { name: "x", beats: [{ letter: null }], at: "2026-11-22T12:00:00+02:00", count: 3 }),
    ).toEqual([]);
  });

  it("counts string lengths in code points: a surrogate pair is one character", () => {
    const errors = (name: string) => v.validate(ref("Create"), { name }).map((e) => e.code);
    expect(errors("🌀🌀🌀🌀🌀")).toEqual([]); // 5 code points, 10 UTF-16 units
    expect(errors("🌀🌀🌀🌀🌀x")).toEqual(["maxLength"]);
    expect(errors("\ud800abcd")).toEqual([]); // a lone surrogate counts as one
    expect(errors("x".repeat(5_000_000))).toEqual(["maxLength"]);
  });

  it("reports every failing field as a JSON pointer", () => {
    const value = {
      name: "",
      beats: [{ id: "x", letter: "ab", duration: 0, blue_motion: { turns: 0.3 } }, {}, {}],
      at: "yesterday",
      count: 1.5,
    };
    expect(
      v
        .validate(ref("Create"), value)
        .map((e) => `${e.field} ${e.code}`)
        .sort(),
    ).toEqual(
      [
        "/name minLength",
        "/beats maxItems",
        "/beats/0/id readOnly",
        "/beats/0/letter pattern",
        "/beats/0/duration exclusiveMinimum",
        "/beats/0/blue_motion/kind required",
        "/beats/0/blue_motion/turns multipleOf",
        "/at format",
        "/count type",
      ].sort(),
    );
  });

  it("reports missing required fields and wrong types", () => {
    expect(v.validate(ref("Create"), {})).toEqual([{ field: "/name", code: "required", message: "is required" }]);
    expect(v.validate(ref("Create"), [])).toEqual([{ field: "", code: "type", message: "must be object" }]);
    expect(v.validate(ref("Kind"), "float")[0]).toMatchObject({ code: "const" });
  });

  it("decodes discriminated unions by their discriminator", () => {
    expect(v.validate(ref("Message"), { type: "auth", token: "t" })).toEqual([]);
    expect(v.validate(ref("Message"), { type: "auth" })).toEqual([
      { field: "/token", code: "required", message: "is required" },
    ]);
    expect(v.validate(ref("Message"), { type: "dance" })[0]).toMatchObject({ field: "/type", code: "discriminator" });
  });

  it("checks uniqueItems (JSON equality, key order ignored) and property counts", () => {
    const unique = { type: "array", uniqueItems: true } as const;
    expect(v.validate(unique, ["a", "b", 1, "1"])).toEqual([]);
    expect(v.validate(unique, ["a", "b", "a"])).toEqual([
      { field: "/2", code: "uniqueItems", message: "must not repeat item 0" },
    ]);
    expect(
      v.validate(unique, [
        { a: 1, b: [2] },
        { b: [2], a: 1 },
      ])[0],
    ).toMatchObject({ field: "/1" });
    const counted = { type: "object", minProperties: 1, maxProperties: 2 } as const;
    expect(v.validate(counted, { a: 1 })).toEqual([]);
    expect(v.validate(counted, {})[0]).toMatchObject({ field: "", code: "minProperties" });
    expect(v.validate(counted, { a: 1, b: 2, c: 3 })[0]).toMatchObject({ field: "", code: "maxProperties" });
  });

  it("escapes pointer segments", () => {
    const errors = v.validate({ type: "object", properties: { "a/b": { type: "string" } } }, { "a/b": 1 });
    expect(errors[0]?.field).toBe("/a~1b");
  });
});

describe("member names that are also Object.prototype's", () => {
  const closed = new Validator({
    Closed: { type: "object", additionalProperties: false, properties: { name: { type: "string" } } },
    Tagged: {
      oneOf: [{ $ref: "#/components/schemas/Closed" }],
      discriminator: { propertyName: "kind", mapping: { a: "#/components/schemas/Closed" } },
    },
  });

  it("are unknown members of a closed object, not inherited properties", () => {
    const value = JSON.parse('{"name":"x","__proto__":1,"constructor":2,"toString":3,"hasOwnProperty":4}');
    expect(closed.validate({ $ref: "#/components/schemas/Closed" }, value).map((e) => e.field)).toEqual([
      "/__proto__",
      "/constructor",
      "/toString",
      "/hasOwnProperty",
    ]);
  });

  it("are unknown discriminator values, not a crash", () => {
    for (const kind of ["constructor", "__proto__", "toString"]) {
      expect(closed.validate({ $ref: "#/components/schemas/Tagged" }, { kind })).toMatchObject([
        { field: "/kind", code: "discriminator" },
      ]);
    }
  });
});
