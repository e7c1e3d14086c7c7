// The breaking-change report on small before/after documents: each case changes one thing and
// checks what every SDK's users are told.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type CompatReport, compareIR, type Lang } from "../src/compat/compare.ts";
import { checkVersions, formatReport } from "../src/compat/report.ts";
import { namedIR } from "../src/released.ts";

const dir = mkdtempSync(join(tmpdir(), "compat-"));
let n = 0;

// biome-ignore lint/suspicious/noExplicitAny: the cases edit the document as plain JSON.
type Doc = any;

/** A small API; `change` edits it (a plain object) before it is written. */
function doc(change: (d: Doc) => void = () => {}): string {
  const d = {
    openapi: "3.1.0",
    info: { title: "Pet API", version: "1.0.0" },
    paths: {
      "/pets": {
        get: {
          operationId: "listPets",
          tags: ["pets"],
          parameters: [{ name: "limit", in: "query", required: false, schema: { type: "integer", format: "int32" } }],
          responses: {
            "200": {
              description: "ok",
              content: {
                "application/json": { schema: { type: "array", items: { $ref: "#/components/schemas/Pet" } } },
              },
            },
          },
        },
        post: {
          operationId: "createPet",
          tags: ["pets"],
          requestBody: {
            required: true,
            content: { "application/json": { schema: { $ref: "#/components/schemas/PetCreate" } } },
          },
          responses: {
            "201": {
              description: "ok",
              content: { "application/json": { schema: { $ref: "#/components/schemas/Pet" } } },
            },
          },
        },
      },
      "/pets/{pet_id}": {
        get: {
          operationId: "getPet",
          tags: ["pets"],
          parameters: [{ name: "pet_id", in: "path", required: true, schema: { type: "string" } }],
          responses: {
            "200": {
              description: "ok",
              content: { "application/json": { schema: { $ref: "#/components/schemas/Pet" } } },
            },
          },
        },
      },
      "/events": {
        get: {
          operationId: "lastEvent",
          tags: ["events"],
          responses: {
            "200": {
              description: "ok",
              content: { "application/json": { schema: { $ref: "#/components/schemas/Event" } } },
            },
          },
        },
      },
    },
    components: {
      schemas: {
        Pet: {
          type: "object",
          required: ["id", "name", "kind"],
          properties: {
            id: { type: "string" },
            name: { type: "string" },
            kind: { $ref: "#/components/schemas/Kind" },
            age: { type: "integer", format: "int32" },
          },
        },
        PetCreate: {
          type: "object",
          required: ["name"],
          properties: {
            name: { type: "string" },
            nickname: { type: "string" },
            kind: { $ref: "#/components/schemas/Kind" },
          },
        },
        Kind: { type: "string", enum: ["cat", "dog", "bird"] },
        Born: { type: "object", required: ["type"], properties: { type: { const: "born" } } },
        Fed: { type: "object", required: ["type"], properties: { type: { const: "fed" } } },
        Slept: { type: "object", required: ["type"], properties: { type: { const: "slept" } } },
        Event: {
          oneOf: [{ $ref: "#/components/schemas/Born" }, { $ref: "#/components/schemas/Fed" }],
          discriminator: { propertyName: "type" },
        },
      },
    },
  };
  change(d);
  const path = join(dir, `doc-${n++}.json`);
  writeFileSync(path, JSON.stringify(d));
  return path;
}

function diff(change: (d: Doc) => void): CompatReport {
  return compareIR(namedIR(doc()), namedIR(doc(change)));
}

const messages = (r: CompatReport, lang: Lang, severity?: "breaking" | "additive") =>
  r[lang].filter((c) => severity === undefined || c.severity === severity).map((c) => c.message);

describe("operations", () => {
  it("an identical document changes nothing", () => {
    expect(diff(() => {})).toEqual({ typescript: [], python: [], rust: [] });
  });

  it("a removed operation breaks every SDK, named as each SDK spells the call", () => {
    const r = diff((d) => delete d.paths["/pets/{pet_id}"]);
    expect(messages(r, "typescript", "breaking")).toEqual(["client.pets.get(): removed (GET /pets/{pet_id})"]);
    expect(messages(r, "python", "breaking")).toEqual(["client.pets.get(): removed (GET /pets/{pet_id})"]);
    expect(messages(r, "rust", "breaking")).toEqual(["client.pets().get(): removed (GET /pets/{pet_id})"]);
  });

  it("a new operation is additive", () => {
    const r = diff((d) => {
      d.paths["/pets/{pet_id}"].delete = {
        operationId: "deletePet",
        tags: ["pets"],
        parameters: [{ name: "pet_id", in: "path", required: true, schema: { type: "string" } }],
        responses: { "204": { description: "gone" } },
      };
    });
    expect(r.typescript).toEqual([
      { severity: "additive", message: "client.pets.delete(): new (DELETE /pets/{pet_id})" },
    ]);
    expect(messages(r, "rust")).toEqual(["client.pets().delete(): new (DELETE /pets/{pet_id})"]);
  });

  it("a renamed operationId breaks only where the SDK's method name changes", () => {
    const snake = diff((d) => (d.paths["/pets/{pet_id}"].get.operationId = "get_pet"));
    expect(snake).toEqual({ typescript: [], python: [], rust: [] });
    const renamed = diff((d) => (d.paths["/pets/{pet_id}"].get.operationId = "fetchPet"));
    expect(messages(renamed, "typescript", "breaking")).toEqual(["client.pets.get(): renamed to client.pets.fetch()"]);
    expect(messages(renamed, "rust", "breaking")).toEqual(["client.pets().get(): renamed to client.pets().fetch()"]);
  });

  it("new required parameters break, new optional ones do not; a parameter that becomes optional breaks Rust only", () => {
    const r = diff((d) => {
      d.paths["/pets"].get.parameters.push(
        { name: "owner", in: "query", required: true, schema: { type: "string" } },
        { name: "color", in: "query", required: false, schema: { type: "string" } },
      );
    });
    expect(messages(r, "python")).toEqual([
      "client.pets.list(): new required parameter `owner`",
      "client.pets.list(): new optional parameter `color`",
    ]);
    const optional = diff((d) => {
      d.paths["/pets"].get.parameters[0].required = true;
    });
    expect(messages(optional, "typescript")).toEqual(["client.pets.list(): parameter `limit` is now required"]);
    const relaxed = compareIR(
      namedIR(doc((d) => (d.paths["/pets"].get.parameters[0].required = true))),
      namedIR(doc()),
    );
    expect(relaxed.typescript).toEqual([
      { severity: "additive", message: "client.pets.list(): parameter `limit` is now optional" },
    ]);
    expect(relaxed.rust[0]?.severity).toBe("breaking");
  });

  it("a removed parameter and a changed result type break", () => {
    const r = diff((d) => {
      d.paths["/pets"].get.parameters = [];
      d.paths["/pets/{pet_id}"].get.responses["200"].content["application/json"].schema = { type: "string" };
    });
    expect(messages(r, "rust", "breaking")).toEqual([
      "client.pets().list(): parameter `limit` removed",
      "client.pets().get(): returns String instead of Pet",
    ]);
    expect(messages(r, "typescript", "breaking")[1]).toBe("client.pets.get(): returns string instead of Pet");
  });
});

describe("models", () => {
  it("int32 -> int64 changes a Rust type only", () => {
    const r = diff((d) => (d.components.schemas.Pet.properties.age.format = "int64"));
    expect(r.typescript).toEqual([]);
    expect(r.python).toEqual([]);
    expect(messages(r, "rust")).toEqual(["`Pet.age`: type changes (i32 -> i64)"]);
    expect(
      messages(
        diff((d) => (d.paths["/pets"].get.parameters[0].schema.format = "int64")),
        "rust",
      ),
    ).toEqual(["client.pets().list(): parameter `limit` changes type (i32 -> i64)"]);
  });

  it("a member a client reads that may now be absent breaks every SDK; one it sends that becomes optional breaks Rust only", () => {
    const read = diff((d) => (d.components.schemas.Pet.required = ["id", "kind"]));
    for (const lang of ["typescript", "python", "rust"] as const) {
      expect(messages(read, lang, "breaking")).toEqual(["`Pet.name`: may now be absent"]);
    }
    const sent = diff((d) => (d.components.schemas.PetCreate.required = []));
    expect(messages(sent, "typescript")).toEqual(["`PetCreate.name`: may now be absent"]);
    expect(sent.typescript[0]?.severity).toBe("additive");
    expect(sent.rust).toEqual([
      { severity: "breaking", message: "`PetCreate.name`: may now be absent (its Rust type changes)" },
    ]);
  });

  it("a new required member breaks whoever sends the model, not whoever reads it", () => {
    const sent = diff((d) => {
      d.components.schemas.PetCreate.properties.owner = { type: "string" };
      d.components.schemas.PetCreate.required.push("owner");
    });
    expect(messages(sent, "python", "breaking")).toEqual([
      "`PetCreate.owner`: new required member (callers must set it)",
    ]);
    const read = diff((d) => {
      d.components.schemas.Pet.properties.owner = { type: "string" };
      d.components.schemas.Pet.required.push("owner");
    });
    expect(read.python).toEqual([{ severity: "additive", message: "`Pet.owner`: new member" }]);
  });

  it("field names follow each language: a removed member is named as each SDK spells it", () => {
    const r = diff((d) => {
      d.components.schemas.Pet.properties.birthDate = { type: "string" };
    });
    expect(messages(r, "typescript")).toEqual(["`Pet.birthDate`: new optional member"]);
    expect(messages(r, "python")).toEqual(["`Pet.birth_date`: new optional member"]);
  });

  it("enums: a removed value breaks (TypeScript still compiles, said so); a new value is additive everywhere (open enums)", () => {
    const removed = diff((d) => (d.components.schemas.Kind.enum = ["cat", "dog"]));
    expect(messages(removed, "python")).toEqual(['enum `Kind`: value "bird" removed']);
    expect(messages(removed, "typescript")[0]).toMatch(/value "bird" removed \(still compiles/);
    const added = diff((d) => d.components.schemas.Kind.enum.push("fish"));
    for (const lang of ["typescript", "python", "rust"] as const) {
      expect(added[lang]).toEqual([{ severity: "additive", message: 'enum `Kind`: new value "fish"' }]);
    }
  });

  it("a new variant of a union clients receive breaks exhaustive Rust matches only", () => {
    const r = diff((d) => d.components.schemas.Event.oneOf.push({ $ref: "#/components/schemas/Slept" }));
    expect(messages(r, "typescript")).toEqual(["union `Event`: new variant Slept"]);
    expect(r.typescript[0]?.severity).toBe("additive");
    expect(r.rust).toEqual([
      { severity: "breaking", message: "union `Event`: new variant Slept (exhaustive `match`es need an arm for it)" },
    ]);
  });

  it("a removed model breaks; a request model that closes breaks its senders", () => {
    const r = diff((d) => {
      d.components.schemas.PetCreate.additionalProperties = false;
      delete d.components.schemas.Slept;
    });
    expect(messages(r, "typescript", "breaking")).toEqual([
      "`PetCreate`: now refuses members it does not list",
      "type `Slept`: removed",
    ]);
  });
});

describe("the release rule", () => {
  const breakingRust = diff((d) => (d.components.schemas.Pet.properties.age.format = "int64"));
  const same = { typescript: "1.2.0", python: "1.2.0", rust: "1.2.0" };

  it("a breaking change needs a major bump (a minor one below 1.0.0); an unchanged contract needs nothing", () => {
    const checks = checkVersions(breakingRust, same, { typescript: "1.2.0", python: "1.2.0", rust: "1.3.0" });
    expect(checks.map((c) => c.problem)).toEqual([
      undefined,
      undefined,
      "1 breaking change since 1.2.0 need a major version: 2.0.0 or later (versions.json)",
    ]);
    expect(checkVersions(breakingRust, same, { ...same, rust: "2.0.0" }).every((c) => c.problem === undefined)).toBe(
      true,
    );
    const zero = { typescript: "0.3.1", python: "0.3.1", rust: "0.3.1" };
    expect(checkVersions(breakingRust, zero, { ...zero, rust: "0.4.0" }).every((c) => c.problem === undefined)).toBe(
      true,
    );
    expect(checkVersions(breakingRust, zero, { ...zero, rust: "0.3.2" })[2]?.problem).toMatch(/0\.4\.0 or later/);
  });

  it("a changed contract cannot be released under the released version, nor under an older one", () => {
    const additive = diff((d) => d.components.schemas.Kind.enum.push("fish"));
    const [ts] = checkVersions(additive, same, same);
    expect(ts?.problem).toMatch(/1\.2\.0 is already released and the contract changed/);
    expect(checkVersions(additive, same, { ...same, typescript: "1.1.0" })[0]?.problem).toMatch(
      /older than the released/,
    );
  });

  it("the report groups changes by the SDKs they apply to, breaking ones first", () => {
    const r = diff((d) => {
      d.components.schemas.Pet.properties.age.format = "int64";
      d.components.schemas.Kind.enum.push("fish");
    });
    const lines = formatReport(r, checkVersions(r, same, { ...same, rust: "2.0.0" }));
    expect(lines).toEqual([
      "  TypeScript 1.2.0 -> 1.2.0: 0 breaking, 1 additive  !! 1.2.0 is already released and the contract changed since: raise the version (versions.json)",
      "  Python     1.2.0 -> 1.2.0: 0 breaking, 1 additive  !! 1.2.0 is already released and the contract changed since: raise the version (versions.json)",
      "  Rust       1.2.0 -> 2.0.0: 1 breaking, 1 additive",
      "  breaking (Rust):",
      "    `Pet.age`: type changes (i32 -> i64)",
      "  additive (every SDK):",
      '    enum `Kind`: new value "fish"',
    ]);
  });
});
