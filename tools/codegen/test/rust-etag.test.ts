// The rust target's `impl From<&Model> for ETag` (`.if_match(&sequence)`): the TypeScript and
// Python rule (an object with a `version` number or string, where the document takes an
// If-Match or If-None-Match header), decided per model.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateIR } from "../src/index.ts";
import { generate } from "../src/targets/generate.ts";
import { rustTarget } from "../src/targets/rust/index.ts";
import { writeTree } from "./helpers.ts";

const schemas = `
    Doc:
      type: object
      required: [id, version]
      properties:
        id: {type: string}
        version: {type: integer, format: int64}
    Tagged:
      type: object
      required: [version]
      properties:
        version: {$ref: '#/components/schemas/Revision'}
    Revision: {type: string}
    Optional:
      type: object
      properties:
        version: {type: integer}
    Nullable:
      type: object
      required: [version]
      properties:
        version: {type: [integer, "null"]}
    Dated:
      type: object
      required: [version]
      properties:
        version: {type: string, format: date-time}`;

function document(ifMatch: boolean): string {
  const header = ifMatch ? "\n        - {name: If-Match, in: header, schema: {type: string}}" : "";
  return `openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /docs/{id}:
    put:
      operationId: putDoc
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}${header}
      requestBody:
        content: {application/json: {schema: {$ref: '#/components/schemas/Doc'}}}
      responses:
        '200':
          description: ok
          content: {application/json: {schema: {$ref: '#/components/schemas/Doc'}}}
components:
  schemas:${schemas}
`;
}

function etagImpls(text: string): string[] {
  const dir = writeTree({ "openapi.yaml": text });
  const ir = generateIR(join(dir, "openapi.yaml"), { languages: ["rust"] });
  const models = generate(rustTarget(), ir, { source: "etag" }).find((f) => f.path === "src/models.rs");
  expect(models).toBeDefined();
  return [...(models?.content ?? "").matchAll(/^impl From<&(\w+)> for crate::runtime::ETag \{$/gm)].map(
    (m) => m[1] as string,
  );
}

describe("rust: models that .if_match() takes", () => {
  it("are the objects with a required, non-null integer, number or string version (through aliases)", () => {
    expect(etagImpls(document(true))).toEqual(["Doc", "Tagged"]);
  });

  it("exist only in a document with an If-Match or If-None-Match header parameter, as in TS and Python", () => {
    expect(etagImpls(document(false))).toEqual([]);
  });
});
