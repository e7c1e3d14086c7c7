// Tests of the contract itself: the emitted OpenAPI documents promise what the API reference
// (../shared/reference/domain.md) and the issue ask for. A reviewer can tick items off here.
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { deref, type Json, type JsonObject, loadDocument, operations, parameters } from "./openapi.ts";

const doc = loadDocument("3.1");
const doc32 = loadDocument("3.2");
const ops = operations(doc);
const schemas = (doc.components as JsonObject).schemas as JsonObject;
const publicTag = "Health";

function responses(op: JsonObject): JsonObject {
  return op.responses as JsonObject;
}

/** `security: []` or `security: [{}]` (what TypeSpec emits): no credentials needed. */
function isPublic(op: JsonObject): boolean {
  const security = op.security as JsonObject[] | undefined;
  return Array.isArray(security) && security.every((requirement) => Object.keys(requirement).length === 0);
}

function headerNames(doc: JsonObject, op: JsonObject): string[] {
  return parameters(doc, op)
    .filter((p) => p.in === "header")
    .map((p) => String(p.name).toLowerCase());
}

function schema(name: string): JsonObject {
  const s = schemas[name];
  if (!s) throw new Error(`no schema ${name}`);
  return s as JsonObject;
}

function property(model: string, prop: string): JsonObject {
  return (schema(model).properties as JsonObject)[prop] as JsonObject;
}

describe("every operation", () => {
  it.each(ops.map((o) => [`${o.method.toUpperCase()} ${o.path}`, o] as const))(
    "%s has an operationId, one tag, a summary, a description and a versioned path",
    (_, { path, operation }) => {
      expect(operation.operationId).toMatch(/^[a-z][A-Za-z]+$/);
      expect(operation.tags).toHaveLength(1);
      expect(String(operation.summary ?? "")).not.toBe("");
      expect(String(operation.description ?? "").length).toBeGreaterThan(10);
      expect(path.startsWith("/api/v1/")).toBe(true);
    },
  );

  it("has a unique operationId", () => {
    const ids = ops.map((o) => o.operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("declares X-Request-Id on every response", () => {
    for (const { operation } of ops) {
      for (const [status, response] of Object.entries(responses(operation))) {
        const headers = (deref(doc, response) as JsonObject).headers as JsonObject | undefined;
        expect(headers?.["X-Request-Id"], `${operation.operationId} ${status}`).toBeDefined();
      }
    }
  });

  it("declares 500 and, unless public, 401, 403 and 429 with Retry-After", () => {
    for (const { operation } of ops) {
      const r = responses(operation);
      expect(r["500"], String(operation.operationId)).toBeDefined();
      if (isPublic(operation)) continue;
      for (const status of ["401", "403", "429", "503"])
        expect(r[status], `${operation.operationId} ${status}`).toBeDefined();
      const tooMany = r["429"] as JsonObject;
      expect(((tooMany.headers as JsonObject)["Retry-After"] as JsonObject).required).toBe(true);
    }
  });

  it("answers errors as problem+json with the Problem schema (health probes answer their report)", () => {
    for (const { operation } of ops) {
      for (const [status, response] of Object.entries(responses(operation))) {
        if (Number(status) < 400) continue;
        const content = (response as JsonObject).content as JsonObject;
        if (operation.tags && (operation.tags as Json[])[0] === publicTag && status === "503") {
          expect(content["application/json"]).toBeDefined();
          continue;
        }
        const problem = content["application/problem+json"] as JsonObject;
        expect(problem, `${operation.operationId} ${status}`).toBeDefined();
        expect((problem.schema as JsonObject).$ref).toBe("#/components/schemas/Problem");
      }
    }
  });

  it("declares 400, 413, 415 and 422 wherever it takes a body", () => {
    for (const { operation } of ops.filter((o) => o.operation.requestBody)) {
      for (const status of ["400", "413", "415", "422"]) {
        expect(responses(operation)[status], `${operation.operationId} ${status}`).toBeDefined();
      }
    }
  });

  it("declares 404 wherever the path names a resource", () => {
    for (const { path, operation } of ops.filter((o) => o.path.includes("{"))) {
      expect(responses(operation)["404"], `${path}`).toBeDefined();
    }
  });
});

describe("conventions", () => {
  const mutations = ["post", "put", "patch", "delete"];

  it("every mutation (POST, PUT, PATCH, DELETE) accepts an Idempotency-Key", () => {
    for (const { operation } of ops.filter((o) => mutations.includes(o.method))) {
      expect(headerNames(doc, operation), String(operation.operationId)).toContain("idempotency-key");
    }
  });

  it("every mutation declares the 422 of a reused Idempotency-Key and the 409 of one in use", () => {
    for (const { operation } of ops.filter((o) => mutations.includes(o.method))) {
      expect(responses(operation)["422"], String(operation.operationId)).toBeDefined();
      expect(responses(operation)["409"], String(operation.operationId)).toBeDefined();
    }
  });

  it("If-Match, Idempotency-Key and cursor are never empty (the server refuses an empty one)", () => {
    for (const { operation } of ops) {
      for (const p of parameters(doc, operation)) {
        if (["If-Match", "Idempotency-Key", "cursor"].includes(String(p.name))) {
          expect((p.schema as JsonObject).minLength, `${operation.operationId} ${p.name}`).toBe(1);
        }
      }
    }
  });

  it("every mutation of an existing sequence accepts If-Match and declares 412", () => {
    const mutations = ops.filter((o) => o.method !== "get" && o.path.includes("{sequence_id}"));
    expect(mutations.length).toBe(9);
    for (const { operation } of mutations) {
      expect(headerNames(doc, operation), String(operation.operationId)).toContain("if-match");
      expect(responses(operation)["412"], String(operation.operationId)).toBeDefined();
    }
  });

  it("every sequence response carries the version as ETag", () => {
    for (const { operation } of ops) {
      for (const [status, response] of Object.entries(responses(operation))) {
        const json = ((response as JsonObject).content as JsonObject | undefined)?.["application/json"] as
          | JsonObject
          | undefined;
        if ((json?.schema as JsonObject | undefined)?.$ref !== "#/components/schemas/Sequence") continue;
        expect(
          ((response as JsonObject).headers as JsonObject).ETag,
          `${operation.operationId} ${status}`,
        ).toBeDefined();
      }
    }
  });

  it("requires an API key or a bearer token, and keeps health public", () => {
    expect(doc.security).toEqual([{ ApiKeyAuth: [] }, { BearerAuth: [] }]);
    const schemes = (doc.components as JsonObject).securitySchemes as JsonObject;
    expect(schemes.ApiKeyAuth).toMatchObject({ type: "apiKey", in: "header", name: "X-API-Key" });
    expect(schemes.BearerAuth).toMatchObject({ type: "http", scheme: "Bearer" });
    const health = ops.filter((o) => (o.operation.tags as Json[])[0] === publicTag);
    expect(health.map((o) => o.path).sort()).toEqual([
      "/api/v1/health",
      "/api/v1/health/live",
      "/api/v1/health/ready",
      "/api/v1/status",
    ]);
    for (const { operation } of health) expect(isPublic(operation)).toBe(true);
    expect(ops.filter((o) => isPublic(o.operation))).toHaveLength(health.length);
  });

  it("readiness and health declare 503", () => {
    const byId = new Map(ops.map((o) => [o.operation.operationId, o.operation]));
    expect(responses(byId.get("getReadiness") as JsonObject)["503"]).toBeDefined();
    expect(responses(byId.get("getHealth") as JsonObject)["503"]).toBeDefined();
  });

  it("merge-patch operations take application/merge-patch+json", () => {
    for (const id of ["updateSequence", "updateBeat"]) {
      const op = ops.find((o) => o.operation.operationId === id);
      if (!op) throw new Error(`no operation ${id}`);
      expect(op.method).toBe("patch");
      const content = (op.operation.requestBody as JsonObject).content as JsonObject;
      expect(Object.keys(content)).toEqual(["application/merge-patch+json"]);
    }
  });

  it("lists sequences with cursor pagination and filters", () => {
    const list = ops.find((o) => o.operation.operationId === "listSequences") as (typeof ops)[number];
    const names = parameters(doc, list.operation).map((p) => p.name);
    expect(names).toEqual(
      expect.arrayContaining(["limit", "cursor", "name_contains", "word", "min_length", "max_length", "updated_since"]),
    );
    const page = schema("SequencePage");
    expect(page.required).toEqual(["data", "next_cursor", "has_more"]);
  });

  it("keeps JSON field names snake_case", () => {
    for (const [name, s] of Object.entries(schemas)) {
      for (const prop of Object.keys(((s as JsonObject).properties as JsonObject | undefined) ?? {})) {
        expect(prop, `${name}.${prop}`).toMatch(/^[a-z][a-z0-9_]*$/);
      }
    }
  });

  it("documents every schema, property and enum member", () => {
    for (const [name, s] of Object.entries(schemas)) {
      const model = s as JsonObject;
      expect(String(model.description ?? ""), name).not.toBe("");
      for (const [prop, p] of Object.entries((model.properties as JsonObject | undefined) ?? {})) {
        expect(String((p as JsonObject).description ?? ""), `${name}.${prop}`).not.toBe("");
      }
      for (const member of (model.oneOf as JsonObject[] | undefined) ?? []) {
        if ("const" in member) expect(String(member.description ?? ""), `${name}=${String(member.const)}`).not.toBe("");
      }
    }
  });
});

/** Every named schema a schema reaches through `$ref`s (itself included). */
function reachable(start: Json | undefined, seen = new Set<string>()): Set<string> {
  const stack: Json[] = start === undefined ? [] : [start];
  while (stack.length > 0) {
    const node = stack.pop() as Json;
    if (node === null || typeof node !== "object") continue;
    if (Array.isArray(node)) stack.push(...node);
    else {
      const ref = node.$ref;
      if (typeof ref === "string" && ref.startsWith("#/components/schemas/")) {
        const name = ref.slice("#/components/schemas/".length);
        if (!seen.has(name)) {
          seen.add(name);
          stack.push(schema(name));
        }
      }
      for (const [key, value] of Object.entries(node)) if (key !== "$ref") stack.push(value);
    }
  }
  return seen;
}

const closed = (name: string) => JSON.stringify(schema(name).unevaluatedProperties) === '{"not":{}}';

describe("strict request bodies", () => {
  const bodies = ops.flatMap((o) =>
    Object.values(((o.operation.requestBody as JsonObject | undefined)?.content as JsonObject | undefined) ?? {}),
  );
  const requestModels = new Set(bodies.flatMap((b) => [...reachable((b as JsonObject).schema)]));
  const objects = (names: Iterable<string>) => [...names].filter((n) => schema(n).type === "object");

  it("closes every object model a request body reaches, except free-form metadata", () => {
    expect(objects(requestModels).sort()).toEqual([
      "BeatCreate",
      "BeatInput",
      "BeatMove",
      "BeatPatch",
      "BeatsReplace",
      "Metadata",
      "MotionInput",
      "MotionPatch",
      "SequenceCreate",
      "SequencePatch",
    ]);
    for (const name of objects(requestModels)) expect(closed(name), name).toBe(name !== "Metadata");
    expect(schema("Metadata").unevaluatedProperties).toEqual({});
  });

  it("leaves every response model open, so clients stay forward compatible", () => {
    const answers = ops.flatMap((o) =>
      Object.values(responses(o.operation)).flatMap((r) =>
        Object.values(((deref(doc, r) as JsonObject).content as JsonObject | undefined) ?? {}),
      ),
    );
    const responseModels = new Set(answers.flatMap((a) => [...reachable((a as JsonObject).schema)]));
    for (const name of responseModels) expect(closed(name), name).toBe(false);
  });
});

describe("the domain's constraints", () => {
  it("sequence: name 1..100, at most 64 beats, derived fields read-only", () => {
    expect(property("Sequence", "name")).toMatchObject({ minLength: 1, maxLength: 100 });
    expect(property("Sequence", "beats")).toMatchObject({ maxItems: 64 });
    for (const field of ["id", "word", "length", "total_duration", "version", "created_at", "updated_at", "history"]) {
      expect(property("Sequence", field).readOnly, field).toBe(true);
    }
    expect(property("SequenceCreate", "length")).toMatchObject({ minimum: 1, maximum: 64 });
    expect(property("SequenceCreate", "beats")).toMatchObject({ maxItems: 64 });
    expect(property("Sequence", "created_at")).toMatchObject({ type: "string", format: "date-time" });
  });

  it("beat: number 1..64, duration in (0, 10] default 1, letter A-Z", () => {
    expect(property("Beat", "beat_number")).toMatchObject({ minimum: 1, maximum: 64, readOnly: true });
    expect(schema("BeatDuration")).toMatchObject({ exclusiveMinimum: 0, maximum: 10 });
    expect(property("BeatInput", "duration")).toMatchObject({ default: 1 });
    expect(schema("LetterInput")).toMatchObject({ pattern: "^[A-Za-z]$" });
  });

  it("motion: turns 0..4 in steps of 0.5, enums complete", () => {
    expect(schema("Turns")).toMatchObject({ minimum: 0, maximum: 4, multipleOf: 0.5 });
    const values = (name: string) => (schema(name).oneOf as JsonObject[]).map((m) => m.const);
    expect(values("MotionType")).toEqual(["pro", "anti", "float", "dash", "static"]);
    expect(values("PropRotDir")).toEqual(["cw", "ccw", "no_rot"]);
    expect(values("Location")).toEqual(["n", "e", "s", "w", "ne", "se", "sw", "nw"]);
    expect(values("Orientation")).toEqual(["in", "out"]);
    expect(property("MotionInput", "turns")).toMatchObject({ default: 0 });
    expect(property("MotionInput", "start_ori")).toMatchObject({ default: "in" });
  });

  it("errors: RFC 9457 fields plus code, request id, timestamp and field errors", () => {
    const problem = schema("Problem");
    expect(problem.required).toEqual(["type", "title", "status", "code", "request_id", "timestamp"]);
    const codes = (schema("ErrorCode").oneOf as JsonObject[]).map((m) => String(m.const));
    for (const code of codes) expect(code).toMatch(/^[A-Z][A-Z0-9_]*$/);
    expect(property("Problem", "errors")).toMatchObject({ type: "array" });
  });

  it("history: entries and the undo / redo state", () => {
    expect(schema("HistoryEntry").required).toEqual([
      "id",
      "sequence_id",
      "command",
      "description",
      "created_at",
      "undone",
    ]);
    expect(schema("HistoryState").required).toEqual(
      expect.arrayContaining(["can_undo", "can_redo", "undo_description", "redo_description"]),
    );
  });
});

describe("events", () => {
  const eventTypes = (schema("EventType").oneOf as JsonObject[]).map((m) => String(m.const));

  it("the ChangeEvent union covers every event type, discriminated by type", () => {
    const union = schema("ChangeEvent");
    const mapping = (union.discriminator as JsonObject).mapping as JsonObject;
    expect((union.discriminator as JsonObject).propertyName).toBe("type");
    expect(Object.keys(mapping).sort()).toEqual([...eventTypes].sort());
    for (const [type, ref] of Object.entries(mapping)) {
      const model = schema(String(ref).split("/").pop() as string);
      expect(model.required).toEqual(
        expect.arrayContaining(["type", "id", "sequence_id", "sequence_version", "occurred_at", "data"]),
      );
      const discriminator = (model.properties as JsonObject).type as JsonObject;
      expect(discriminator.const ?? (discriminator.enum as Json[] | undefined)?.[0]).toBe(type);
    }
  });

  it("the 3.2 document types the SSE stream item by event name", () => {
    const get = ((doc32.paths as JsonObject)["/api/v1/events"] as JsonObject).get as JsonObject;
    const stream = ((responses(get)["200"] as JsonObject).content as JsonObject)["text/event-stream"] as JsonObject;
    const variants = (stream.itemSchema as JsonObject).oneOf as JsonObject[];
    const names = variants.map((v) => ((v.properties as JsonObject).event as JsonObject).const);
    // Every change event by its type, then the stream's own `error` event (SLOW_CONSUMER, ...).
    expect(names).toEqual([...eventTypes, "error"]);
    const error = variants[variants.length - 1] as JsonObject;
    const data = (error.properties as JsonObject).data as JsonObject;
    expect((data.contentSchema as JsonObject).$ref).toBe("#/components/schemas/StreamErrorEvent");
    expect(headerNames(doc32, get)).toContain("last-event-id");
  });

  it("the 3.1 document types each SSE event with the 3.2 item schema (3.1 has no itemSchema)", () => {
    const stream = (d: JsonObject) => {
      const get = ((d.paths as JsonObject)["/api/v1/events"] as JsonObject).get as JsonObject;
      return ((responses(get)["200"] as JsonObject).content as JsonObject)["text/event-stream"] as JsonObject;
    };
    const { description, ...schema31 } = stream(doc).schema as JsonObject;
    expect(description).toContain("itemSchema");
    expect(schema31).toEqual(stream(doc32).itemSchema);
  });

  it("the WebSocket protocol's messages are typed and linked from the operation", () => {
    const ws = ops.find((o) => o.operation.operationId === "connectWebSocket") as (typeof ops)[number];
    expect(ws.operation["x-websocket"]).toMatchObject({
      clientMessage: "#/components/schemas/WsClientMessage",
      serverMessage: "#/components/schemas/WsServerMessage",
      protocol: {
        welcome: "welcome",
        subscribe: "subscribe",
        lastEventIdField: "last_event_id",
        finalCloseCodes: [4001, 4003],
      },
    });
    const kinds = (name: string) =>
      Object.keys(((schema(name).discriminator as JsonObject).mapping as JsonObject) ?? {}).sort();
    expect(kinds("WsClientMessage")).toEqual(["auth", "get_stats", "ping", "subscribe", "unsubscribe"]);
    expect(kinds("WsServerMessage")).toEqual([
      "authenticated",
      "error",
      "event",
      "heartbeat",
      "pong",
      "stats",
      "subscribed",
      "unsubscribed",
      "welcome",
    ]);
  });
});

describe("examples", () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ $id: "openapi", components: doc.components } as object);

  /** Every example in the document, with the schema it must satisfy. */
  function collect(): { where: string; schema: Json; example: Json }[] {
    const out: { where: string; schema: Json; example: Json }[] = [];
    for (const [name, s] of Object.entries(schemas)) {
      for (const [i, example] of (((s as JsonObject).examples as Json[] | undefined) ?? []).entries()) {
        out.push({
          where: `#/components/schemas/${name}/examples/${i}`,
          schema: { $ref: `openapi#/components/schemas/${name}` },
          example,
        });
      }
    }
    for (const { operation } of ops) {
      const bodies: [string, JsonObject | undefined][] = [
        ["request", operation.requestBody as JsonObject | undefined],
        ...Object.entries(responses(operation)).map(([status, r]) => [status, r as JsonObject] as [string, JsonObject]),
      ];
      for (const [where, body] of bodies) {
        for (const [type, media] of Object.entries((body?.content as JsonObject | undefined) ?? {})) {
          const m = media as JsonObject;
          for (const [key, ex] of Object.entries((m.examples as JsonObject | undefined) ?? {})) {
            const schemaRef = rewriteRefs(m.schema as Json);
            out.push({
              where: `${operation.operationId} ${where} ${type} ${key}`,
              schema: schemaRef,
              example: (ex as JsonObject).value as Json,
            });
          }
        }
      }
    }
    return out;
  }

  function rewriteRefs(value: Json): Json {
    if (Array.isArray(value)) return value.map(rewriteRefs);
    if (value && typeof value === "object") {
      return Object.fromEntries(
        Object.entries(value).map(([k, v]) => [
          k,
          k === "$ref" && typeof v === "string" ? `openapi${v}` : rewriteRefs(v),
        ]),
      );
    }
    return value;
  }

  const examples = collect();

  it("exist for the core models and operations", () => {
    expect(examples.length).toBeGreaterThan(20);
  });

  it.each(examples.map((e) => [e.where, e] as const))(
    "%s validates against its schema",
    (_, { schema: s, example }) => {
      const validate = ajv.compile(s as object);
      const ok = validate(example);
      expect(validate.errors ?? [], JSON.stringify(example)).toEqual([]);
      expect(ok).toBe(true);
    },
  );
});
