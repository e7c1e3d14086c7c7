import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildIR } from "../src/ir/index.ts";
import type { ApiIR, Model, ObjectModel, Operation } from "../src/ir/types.ts";
import { loadDocument } from "../src/loader/index.ts";
import { CORPUS, docWithSchemas, irOf, model, PROJECT_SPEC } from "./helpers.ts";

const load = (p: string): ApiIR => buildIR(loadDocument(p));
const ks = load(join(CORPUS, "kitchen-sink-3.1.yaml"));
const pet = load(join(CORPUS, "petstore-3.0.yaml"));
const tka = load(PROJECT_SPEC);
const op = (ir: ApiIR, id: string): Operation => {
  const o = ir.operations.find((x) => x.id === id);
  if (!o) throw new Error(`no operation ${id}`);
  return o;
};
const obj = (m: Model): ObjectModel => {
  if (m.kind !== "object") throw new Error(`${m.name} is ${m.kind}`);
  return m;
};
const prop = (m: Model, wire: string) => obj(m).properties.find((p) => p.wireName === wire);

describe("models", () => {
  it("keeps nullable distinct from optional", () => {
    const w = model(ks, "Widget");
    expect([prop(w, "nickname")?.required, prop(w, "nickname")?.nullable]).toEqual([false, true]);
    expect([prop(w, "description")?.required, prop(w, "description")?.nullable]).toEqual([true, true]);
    expect([prop(w, "name")?.required, prop(w, "name")?.nullable]).toEqual([true, false]);
    expect([prop(w, "updated_at")?.required, prop(w, "updated_at")?.nullable]).toEqual([false, true]);
  });

  it("flattens allOf and keeps the base reference", () => {
    const w = obj(model(ks, "Widget"));
    expect(w.bases).toEqual(["Resource"]);
    expect(w.properties.slice(0, 2).map((p) => [p.wireName, p.inheritedFrom, p.readOnly, p.required])).toEqual([
      ["id", "Resource", true, true],
      ["created_at", "Resource", true, true],
    ]);
  });

  it("3.0 inheritance: a base discriminator learns its allOf subtypes", () => {
    expect(obj(model(pet, "Pet")).discriminator).toEqual({
      propertyName: "pet_type",
      source: "declared",
      mapping: [
        { value: "Cat", model: "Cat" },
        { value: "Dog", model: "Dog" },
      ],
    });
    expect(obj(model(pet, "Dog")).bases).toEqual(["Pet"]);
  });

  it("declared, implicit and inferred discriminators", () => {
    expect(model(ks, "Shape")).toMatchObject({
      kind: "union",
      discriminator: { propertyName: "shape_type", source: "declared" },
    });
    expect(model(ks, "Pet")).toMatchObject({
      kind: "union",
      discriminator: {
        propertyName: "kind",
        source: "inferred",
        mapping: [
          { value: "cat", model: "CatPet" },
          { value: "dog", model: "DogPet" },
        ],
      },
      variants: [{ discriminatorValues: ["cat"] }, { discriminatorValues: ["dog"] }],
    });
    const ir = irOf(
      docWithSchemas(
        "U:\n  oneOf:\n    - $ref: '#/components/schemas/A'\n    - $ref: '#/components/schemas/B'\n  discriminator:\n    propertyName: t\nA:\n  type: object\n  required: [t]\n  properties:\n    t: {const: a}\nB:\n  type: object\n  properties:\n    t: {type: string}",
      ),
    );
    expect(model(ir, "U")).toMatchObject({
      discriminator: {
        mapping: [
          { value: "a", model: "A" },
          { value: "B", model: "B" },
        ],
      },
    });
  });

  it("plain unions have no discriminator", () => {
    expect(model(ks, "StringOrNumber")).toMatchObject({
      kind: "union",
      composition: "anyOf",
      variants: [{ type: { kind: "primitive", type: "string" } }, { type: { kind: "primitive", type: "number" } }],
    });
    expect(model(ks, "PostWidgetsSearchResponseItem")).not.toHaveProperty("discriminator");
  });

  it("the project unions: ChangeEvent, WsClientMessage and WsServerMessage", () => {
    for (const [name, n] of [
      ["ChangeEvent", 9],
      ["WsClientMessage", 5],
      ["WsServerMessage", 9],
    ] as const) {
      const m = model(tka, name);
      expect(m.kind === "union" && [m.discriminator?.propertyName, m.discriminator?.source, m.variants.length]).toEqual(
        ["type", "declared", n],
      );
    }
  });

  it("enums: dotted values, member docs from oneOf-const and x-enum-descriptions, x-enum-varnames", () => {
    const et = model(tka, "EventType");
    expect(et.kind === "enum" && et.members[0]).toEqual({
      value: "sequence.created",
      description: "A sequence was created.",
    });
    const c = model(ks, "Color");
    expect(c.kind === "enum" && c.members.map((m) => m.description)).toContain("A dotted value.");
    const p = model(ks, "Priority");
    expect(p.kind === "enum" && [p.valueType, p.members.map((m) => m.suggestedName)]).toEqual([
      "integer",
      ["LOW", "MEDIUM", "HIGH"],
    ]);
  });

  it("maps, named scalars with constraints, nested arrays", () => {
    expect(model(tka, "Metadata")).toMatchObject({ kind: "alias", type: { kind: "map", values: { kind: "any" } } });
    expect(model(tka, "ResourceId")).toMatchObject({
      kind: "alias",
      type: {
        kind: "primitive",
        type: "string",
        constraints: { minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9_-]+$" },
      },
    });
    expect(model(tka, "BeatDuration")).toMatchObject({ type: { constraints: { exclusiveMinimum: 0, maximum: 10 } } });
    expect(model(ks, "Matrix")).toMatchObject({
      type: { kind: "array", items: { kind: "array", items: { kind: "primitive", type: "number" } } },
    });
    expect(prop(model(ks, "Widget"), "attributes")?.type).toEqual({
      kind: "map",
      values: { kind: "primitive", type: "string", nullable: false },
      nullable: false,
    });
  });

  it("gives inline schemas stable derived names", () => {
    const names = ks.models.filter((m) => m.origin === "inline").map((m) => m.name);
    expect(names).toEqual([
      "CreateShapeResponse",
      "ListWidgetsResponse",
      "ListWidgetsStatusItem",
      "PostWidgetsSearchRequest",
      "PostWidgetsSearchResponseItem",
      "ProblemErrorsItem",
      "TreeNodeMeta",
      "TreeNodeMetaSiblingsItem",
      "WidgetDimensions",
    ]);
    expect(tka.models.filter((m) => m.origin === "inline").map((m) => m.name)).toContain("BeatAddedEventData");
  });

  it("derived names avoid existing ones", () => {
    const ir = irOf(
      docWithSchemas(
        "A:\n  type: object\n  properties:\n    b:\n      type: object\n      properties:\n        x: {type: string}\nAB:\n  type: string",
      ),
    );
    expect(ir.models.map((m) => m.name)).toEqual(["A", "AB", "AB2"]);
  });

  it("keeps defaults, formats, readOnly/writeOnly and deprecated", () => {
    expect(prop(model(ks, "WidgetCreate"), "color")?.default).toBe("red");
    expect(prop(model(ks, "Widget"), "counter")?.type).toMatchObject({ type: "integer", format: "int64" });
    expect(prop(model(ks, "Widget"), "secret")?.writeOnly).toBe(true);
    expect(prop(model(ks, "Widget"), "legacy")?.deprecated).toBe(true);
    expect(prop(model(tka, "Sequence"), "version")?.readOnly).toBe(true);
    expect(prop(model(ks, "Widget"), "kind")?.type).toEqual({ kind: "literal", value: "widget", nullable: false });
  });
});

describe("operations", () => {
  it("groups by first tag, derives missing operation ids", () => {
    expect(ks.groups.map((g) => [g.name, g.operations.length])).toEqual([
      ["Admin", 2],
      ["Events", 1],
      ["Widgets", 10],
    ]);
    expect(op(ks, "postWidgetsSearch").operationIdDeclared).toBe(false);
    expect(op(pet, "deletePetsByPetId").group).toBe("pets");
  });

  it("parameters: locations, styles, path-level merge, component names", () => {
    expect(op(ks, "getWidget").parameters.map((p) => [p.name, p.in, p.required])).toEqual([
      ["widget_id", "path", true],
    ]);
    expect(op(ks, "listWidgets").parameters.map((p) => [p.name, p.in, p.style, p.explode])).toEqual([
      ["limit", "query", "form", true],
      ["cursor", "query", "form", true],
      ["status", "query", "form", true],
      ["X-Trace-Id", "header", "simple", false],
      ["sort", "query", "pipeDelimited", false],
    ]);
    expect(op(ks, "getStats").parameters.map((p) => [p.in, p.style])).toEqual([
      ["cookie", "form"],
      ["query", "deepObject"],
    ]);
    expect(op(tka, "listSequences").parameters[0]).toMatchObject({ name: "limit", default: 20, explode: false });
  });

  it("detects Idempotency-Key and If-Match", () => {
    expect(op(tka, "createSequence").idempotencyKey).toEqual({ header: "Idempotency-Key", required: false });
    expect(op(tka, "updateSequence").ifMatch).toEqual({ header: "If-Match", required: false });
    expect(op(ks, "updateWidget").ifMatch).toEqual({ header: "If-Match", required: true });
  });

  it("request bodies by content type", () => {
    expect(op(tka, "updateSequence").requestBody?.contents.map((c) => c.kind)).toEqual(["merge-patch"]);
    expect(op(ks, "uploadWidgetImage").requestBody?.contents[0]).toEqual({
      mediaType: "application/octet-stream",
      kind: "binary",
      type: { kind: "primitive", type: "string", format: "binary", nullable: false },
    });
    expect(op(ks, "postWidgetsSearch").requestBody).toMatchObject({
      required: false,
      contents: [{ kind: "form", type: { kind: "model", name: "PostWidgetsSearchRequest" } }],
    });
    expect(op(pet, "createPets").requestBody?.contents.map((c) => c.kind)).toEqual(["json", "form"]);
  });

  it("responses: success vs error, headers, problem+json, default", () => {
    const list = op(ks, "listWidgets");
    expect(list.responses.map((r) => [r.status, r.class, r.isError])).toEqual([
      ["200", "success", false],
      ["400", "client-error", true],
      ["429", "client-error", true],
      ["default", "default", true],
    ]);
    expect(list.responses[2]?.headers).toEqual([
      {
        name: "Retry-After",
        required: true,
        deprecated: false,
        type: { kind: "primitive", type: "integer", nullable: false },
      },
    ]);
    expect(list.responses[1]?.contents[0]?.kind).toBe("problem");
    expect(op(ks, "deleteWidget").successStatus).toBe("204");
    expect(op(pet, "listPets").responses.map((r) => [r.status, r.isError])).toEqual([
      ["200", false],
      ["default", true],
    ]);
    expect(op(tka, "connectWebSocket").successStatus).toBe("101");
  });

  it("security: inherited, public and per-operation", () => {
    expect(op(tka, "getHealth").security).toEqual({ public: true, inherited: false, requirements: [] });
    expect(op(tka, "listSequences").security).toMatchObject({ public: false, inherited: true });
    expect(tka.securitySchemes).toEqual([
      { id: "ApiKeyAuth", type: "apiKey", in: "header", parameterName: "X-API-Key" },
      { id: "BearerAuth", type: "http", scheme: "bearer" },
    ]);
    expect(op(ks, "getStats").security.requirements).toEqual([
      { schemes: [{ scheme: "OAuth", scopes: ["admin:read"] }] },
    ]);
  });

  it("WebSocket channels from x-websocket", () => {
    expect(tka.channels).toMatchObject([
      {
        id: "connectWebSocket",
        path: "/api/v1/ws",
        clientMessage: { kind: "model", name: "WsClientMessage", nullable: false },
        serverMessage: { kind: "model", name: "WsServerMessage", nullable: false },
        protocol: { welcome: "welcome", subscribe: "subscribe", eventIdPointer: "/event/id" },
      },
    ]);
    expect(op(tka, "connectWebSocket").websocket).toBe("connectWebSocket");
  });

  it("SSE: typed in 3.2, untyped without itemSchema", () => {
    const sse = load(join(CORPUS, "sse-3.2.yaml"));
    const ticks = op(sse, "streamTicks").responses[0]?.contents[0]?.stream;
    expect(ticks?.events.map((e) => [e.event, e.type.kind === "model" ? e.type.name : e.type.kind])).toEqual([
      ["tick", "Tick"],
      ["note", "primitive"],
      ["tick.batch", "StreamTicksTickBatchEvent"],
    ]);
    expect(op(sse, "streamMessages").responses[0]?.contents[0]?.stream?.events.map((e) => e.event)).toEqual([null]);
    expect(op(ks, "streamEvents").responses[0]?.contents[0]?.stream).toEqual({ typed: false, events: [] });
  });

  it("rejects duplicate operation ids and undeclared path parameters", () => {
    const dup =
      "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get: {operationId: x, responses: {'204': {description: ok}}}\n  /b:\n    get: {operationId: x, responses: {'204': {description: ok}}}\n";
    expect(() => irOf(dup)).toThrow(/#\/paths\/~1b\/get\/operationId: operationId "x" is also used/);
    const undeclared =
      "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /a/{id}:\n    get: {operationId: x, responses: {'204': {description: ok}}}\n";
    expect(() => irOf(undeclared)).toThrow(/path parameter "id" of \/a\/\{id\} is not declared/);
  });
});

describe("$dynamicRef", () => {
  it("resolves statically to the one schema with that $dynamicAnchor (a recursive tree)", () => {
    const ir = irOf(`openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /tree:
    get:
      operationId: getTree
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Node'}
components:
  schemas:
    Node:
      $dynamicAnchor: node
      type: object
      properties:
        name: {type: string}
        children: {type: array, items: {$dynamicRef: '#node'}}
`);
    const node = ir.models.find((m) => m.name === "Node");
    expect(node?.kind).toBe("object");
    const children = node?.kind === "object" ? node.properties.find((p) => p.wireName === "children") : undefined;
    expect(children?.type).toMatchObject({ kind: "array", items: { kind: "model", name: "Node" } });
  });
});
