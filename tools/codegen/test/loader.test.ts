import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GeneratorError } from "../src/errors.ts";
import { buildIR } from "../src/ir/index.ts";
import { describeEventStream, type JsonObject, loadDocument, type NSchema } from "../src/loader/index.ts";
import { docWithSchemas, irOf, model, PROJECT_SPEC, writeTree } from "./helpers.ts";

function schemaOf(yaml: string, version = "3.1.0", name = "S"): NSchema {
  const dir = writeTree({ "openapi.yaml": docWithSchemas(yaml, version) });
  const doc = loadDocument(join(dir, "openapi.yaml"));
  return doc.schemas.named(`#/components/schemas/${name}`);
}

function thrown(fn: () => unknown): GeneratorError {
  try {
    fn();
  } catch (e) {
    if (e instanceof GeneratorError) return e;
    throw e;
  }
  throw new Error("expected a GeneratorError");
}

describe("normalisation across versions", () => {
  it("3.0 nullable: true, 3.1 type arrays, anyOf/oneOf with null and enum null all give `nullable`", () => {
    const forms = [
      ["S:\n  type: string\n  nullable: true", "3.0.3"],
      ["S:\n  type: [string, 'null']", "3.1.0"],
      ["S:\n  anyOf:\n    - type: string\n    - type: 'null'", "3.1.0"],
      ["S:\n  oneOf:\n    - type: 'null'\n    - type: string", "3.1.0"],
    ] as const;
    for (const [yaml, v] of forms) {
      const s = schemaOf(yaml, v);
      expect({ type: s.type, nullable: s.nullable, anyOf: s.anyOf, oneOf: s.oneOf }).toEqual({
        type: "string",
        nullable: true,
        anyOf: undefined,
        oneOf: undefined,
      });
    }
    const e = schemaOf("S:\n  type: string\n  enum: [a, b, null]\n  nullable: true", "3.0.3");
    expect(e.enum).toEqual(["a", "b"]);
    expect(e.nullable).toBe(true);
  });

  it("keeps siblings of anyOf [X, null] on the collapsed schema", () => {
    const s = schemaOf("S:\n  anyOf:\n    - type: string\n    - type: 'null'\n  pattern: '^[A-Z]$'\n  description: d");
    expect(s).toMatchObject({ type: "string", nullable: true, pattern: "^[A-Z]$", description: "d" });
  });

  it("anyOf [$ref, null] stays a reference, nullable", () => {
    const s = schemaOf(
      "S:\n  anyOf:\n    - $ref: '#/components/schemas/T'\n    - type: 'null'\n  description: d\nT:\n  type: object",
    );
    expect(s).toMatchObject({ ref: "#/components/schemas/T", nullable: true, description: "d" });
  });

  it("folds 3.0 boolean exclusiveMinimum/Maximum into numbers", () => {
    const s = schemaOf(
      "S:\n  type: number\n  minimum: 0\n  exclusiveMinimum: true\n  maximum: 10\n  exclusiveMaximum: false",
      "3.0.3",
    );
    expect([s.minimum, s.exclusiveMinimum, s.maximum, s.exclusiveMaximum]).toEqual([undefined, 0, 10, undefined]);
    const t = schemaOf("S:\n  type: number\n  exclusiveMinimum: 0");
    expect([t.minimum, t.exclusiveMinimum]).toEqual([undefined, 0]);
  });

  it("wraps `example` into `examples`", () => {
    expect(schemaOf("S:\n  type: string\n  example: x", "3.0.3").examples).toEqual(["x"]);
    expect(schemaOf("S:\n  type: string\n  examples: [x, y]").examples).toEqual(["x", "y"]);
  });

  it("const becomes a one-value enum; oneOf of consts becomes an enum with member docs", () => {
    expect(schemaOf("S:\n  const: a")).toMatchObject({ enum: ["a"], isConst: true });
    const s = schemaOf("S:\n  oneOf:\n    - const: a\n      description: A\n    - const: b");
    expect(s).toMatchObject({ type: "string", enum: ["a", "b"], enumDescriptions: ["A", null] });
    expect(s.oneOf).toBeUndefined();
  });

  it("a multi-type `type` becomes anyOf", () => {
    const s = schemaOf("S:\n  type: [string, integer]");
    expect(s.anyOf?.map((m) => m.type)).toEqual(["string", "integer"]);
  });

  it("unevaluatedProperties reads like additionalProperties", () => {
    expect(schemaOf("S:\n  type: object\n  unevaluatedProperties: {}").additionalProperties).toBe(true);
    expect(schemaOf("S:\n  type: object\n  unevaluatedProperties: false").additionalProperties).toBe(false);
    // TypeSpec writes a closed model (`...Record<never>`) as the schema nothing matches.
    expect(schemaOf("S:\n  type: object\n  unevaluatedProperties:\n    not: {}").additionalProperties).toBe(false);
    expect(schemaOf("S:\n  type: object\n  additionalProperties:\n    not: {}").additionalProperties).toBe(false);
  });

  it("allOf of a single $ref with annotations is that reference", () => {
    const s = schemaOf(
      "S:\n  allOf:\n    - $ref: '#/components/schemas/T'\n  description: d\nT:\n  type: string",
      "3.0.3",
    );
    expect(s).toMatchObject({ ref: "#/components/schemas/T", description: "d" });
  });

  it("$ref with structural siblings means both apply (allOf)", () => {
    const s = schemaOf(
      "S:\n  $ref: '#/components/schemas/T'\n  properties:\n    b: {type: string}\n  description: d\nT:\n  type: object\n  properties:\n    a: {type: string}",
    );
    expect(s.allOf?.length).toBe(2);
    expect(s.description).toBe("d");
  });
});

describe("$ref resolution", () => {
  it("resolves relative files, including a cycle back into the root document", () => {
    const ir = irOf(
      docWithSchemas("Root:\n  type: object\n  properties:\n    child:\n      $ref: 'parts/child.yaml#/Child'"),
      {
        "parts/child.yaml":
          "Child:\n  type: object\n  properties:\n    back:\n      $ref: '../openapi.yaml#/components/schemas/Root'\n    sibling:\n      $ref: '#/Sibling'\nSibling:\n  type: string\n",
      },
    );
    expect(ir.models.map((m) => `${m.name}@${m.source.file}`)).toEqual([
      "Child@parts/child.yaml",
      "Root@",
      "Sibling@parts/child.yaml",
    ]);
    const child = model(ir, "Child");
    expect(child.kind === "object" && child.properties.map((p) => p.type)).toEqual([
      { kind: "model", name: "Root", nullable: false },
      { kind: "model", name: "Sibling", nullable: false },
    ]);
  });

  it("gives an external schema whose name is taken a numbered name", () => {
    const ir = irOf(
      docWithSchemas(
        "Pet:\n  type: object\n  properties:\n    other:\n      $ref: 'other.yaml#/components/schemas/Pet'",
      ),
      {
        "other.yaml": "components:\n  schemas:\n    Pet:\n      type: string\n",
      },
    );
    expect(ir.models.map((m) => m.name)).toEqual(["Pet", "Pet2"]);
  });

  it("handles recursive and mutually recursive component schemas", () => {
    const ir = irOf(
      docWithSchemas(
        "Node:\n  type: object\n  properties:\n    next:\n      $ref: '#/components/schemas/Node'\n    a:\n      $ref: '#/components/schemas/A'\nA:\n  type: object\n  properties:\n    b:\n      type: array\n      items:\n        $ref: '#/components/schemas/B'\nB:\n  anyOf:\n    - $ref: '#/components/schemas/A'\n    - type: 'null'",
      ),
    );
    expect(ir.models.map((m) => m.kind)).toEqual(["object", "alias", "object"]);
    expect(model(ir, "B")).toMatchObject({ kind: "alias", type: { kind: "model", name: "A", nullable: true } });
  });

  it("inlines local refs to non-component schemas", () => {
    const ir = irOf(
      docWithSchemas(
        "S:\n  type: object\n  properties:\n    x:\n      $ref: '#/components/schemas/S/properties/y'\n    y:\n      type: integer\n      minimum: 1",
      ),
    );
    const s = model(ir, "S");
    expect(s.kind === "object" && s.properties[0]?.type).toEqual({
      kind: "primitive",
      type: "integer",
      nullable: false,
      constraints: { minimum: 1 },
    });
  });

  it("reports a missing target with the pointer of the $ref", () => {
    const e = thrown(() => irOf(docWithSchemas("S:\n  $ref: '#/components/schemas/Missing'")));
    expect(e.pointer).toBe("/components/schemas/S/$ref");
    expect(e.reason).toMatch(/does not exist/);
  });

  it("reports a missing file with the pointer of the $ref", () => {
    const e = thrown(() => irOf(docWithSchemas("S:\n  $ref: 'nope.yaml#/S'")));
    expect(e.pointer).toBe("/components/schemas/S/$ref");
    expect(e.reason).toMatch(/cannot read/);
  });

  it("rejects anchors and URLs", () => {
    expect(thrown(() => irOf(docWithSchemas("S:\n  $ref: '#foo'"))).reason).toMatch(/anchor/);
    expect(thrown(() => irOf(docWithSchemas("S:\n  $ref: 'http://x/y.yaml'"))).reason).toMatch(/external URL/);
  });

  it("detects $ref cycles between non-schema objects", () => {
    const text =
      "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      parameters:\n        - $ref: '#/components/parameters/P'\n      responses:\n        '204': {description: ok}\ncomponents:\n  parameters:\n    P:\n      $ref: '#/components/parameters/Q'\n    Q:\n      $ref: '#/components/parameters/P'\n";
    expect(thrown(() => irOf(text)).reason).toMatch(/cycle/);
  });
});

describe("event streams", () => {
  it("3.2 itemSchema gives typed events; 3.0/3.1 without it an untyped stream", () => {
    const dir = writeTree({
      "openapi.yaml": docWithSchemas("T:\n  type: object", "3.2.0"),
    });
    const doc = loadDocument(join(dir, "openapi.yaml"));
    const at = { file: "", pointer: "/x" };
    const media = {
      itemSchema: {
        type: "object",
        properties: { event: { type: "string" }, data: { type: "string" } },
        oneOf: [
          {
            properties: {
              event: { const: "a.b" },
              data: { contentMediaType: "application/json", contentSchema: { $ref: "#/components/schemas/T" } },
            },
          },
          { properties: { event: { const: "text" }, data: { type: "string" } } },
        ],
      },
    } as JsonObject;
    const s = describeEventStream(doc.schemas, media, at);
    expect(s.typed).toBe(true);
    expect(s.events.map((e) => [e.event, e.schema?.ref ?? null, e.contentMediaType])).toEqual([
      ["a.b", "#/components/schemas/T", "application/json"],
      ["text", null, null],
    ]);
    expect(describeEventStream(doc.schemas, { schema: { type: "string" } }, at)).toEqual({
      at,
      typed: false,
      events: [],
    });
  });

  it("every variant of a multi-event itemSchema must fix `event`", () => {
    const dir = writeTree({ "openapi.yaml": docWithSchemas("T:\n  type: object", "3.2.0") });
    const doc = loadDocument(join(dir, "openapi.yaml"));
    const media = {
      itemSchema: { oneOf: [{ properties: { event: { type: "string" } } }, { properties: { event: { const: "x" } } }] },
    } as JsonObject;
    const e = thrown(() => describeEventStream(doc.schemas, media, { file: "", pointer: "/m" }));
    expect(e.pointer).toBe("/m/itemSchema/oneOf/0");
  });

  it("the project spec streams nine typed change events", () => {
    const ir = buildIR(loadDocument(PROJECT_SPEC));
    const op = ir.operations.find((o) => o.id === "streamEvents");
    const stream = op?.responses[0]?.contents[0]?.stream;
    expect(op?.streaming).toBe(true);
    expect(stream?.events.map((e) => e.event)).toEqual([
      "sequence.created",
      "sequence.updated",
      "sequence.deleted",
      "beat.added",
      "beat.updated",
      "beat.moved",
      "beat.removed",
      "command.undone",
      "command.redone",
    ]);
  });
});

describe("versions", () => {
  it("reads 3.0, 3.1 and 3.2 and JSON documents", () => {
    for (const v of ["3.0.3", "3.1.1", "3.2.0"])
      expect(irOf(docWithSchemas("S:\n  type: string", v)).source.version).toBe(v.slice(0, 3));
    const json = JSON.stringify({ openapi: "3.1.0", info: { title: "t", version: "1" }, paths: {} });
    expect(irOf(json).source.openapi).toBe("3.1.0");
  });

  it("reports YAML syntax errors as GeneratorError", () => {
    expect(thrown(() => irOf("openapi: 3.1.0\n  bad: [")).reason).toMatch(/cannot parse/);
  });
});
