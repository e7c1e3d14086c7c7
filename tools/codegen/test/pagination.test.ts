import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildIR } from "../src/ir/index.ts";
import { loadDocument } from "../src/loader/index.ts";
import { irOf, PROJECT_SPEC, writeTree } from "./helpers.ts";

function listDoc(
  opts: { method?: string; cursor?: string; items?: string; next?: string; hasMore?: boolean; nextType?: string } = {},
): string {
  const {
    method = "get",
    cursor = "cursor",
    items = "data",
    next = "next_cursor",
    hasMore = true,
    nextType = "[string, 'null']",
  } = opts;
  return `openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /things:
    ${method}:
      operationId: listThings
      parameters:
        - {name: limit, in: query, schema: {type: integer}}
        - {name: ${cursor}, in: query, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/ThingPage'
components:
  schemas:
    Thing: {type: object, properties: {id: {type: string}}}
    ThingPage:
      type: object
      required: [${items}, ${next}]
      properties:
        ${items}: {type: array, items: {$ref: '#/components/schemas/Thing'}}
        ${next}: {type: ${nextType}}
${hasMore ? "        has_more: {type: boolean}" : ""}
`;
}

describe("cursor pagination detection", () => {
  it("detects {data, next_cursor, has_more} with cursor/limit params", () => {
    const op = irOf(listDoc()).operations[0];
    expect(op?.pagination).toEqual({
      style: "cursor",
      cursorParam: "cursor",
      limitParam: "limit",
      pageModel: "ThingPage",
      itemsField: "data",
      nextCursorField: "next_cursor",
      hasMoreField: "has_more",
      itemType: { kind: "model", name: "Thing", nullable: false },
    });
    expect(op?.parameters.map((p) => p.role)).toEqual(["pagination-limit", "pagination-cursor"]);
  });

  it("has_more is optional", () => {
    expect(irOf(listDoc({ hasMore: false })).operations[0]?.pagination?.hasMoreField).toBeNull();
  });

  it("needs a GET, a cursor parameter, an array field and a string next-cursor field", () => {
    expect(irOf(listDoc({ method: "post" })).operations[0]?.pagination).toBeNull();
    expect(irOf(listDoc({ cursor: "token" })).operations[0]?.pagination).toBeNull();
    expect(irOf(listDoc({ items: "things" })).operations[0]?.pagination).toBeNull();
    expect(irOf(listDoc({ nextType: "integer" })).operations[0]?.pagination).toBeNull();
  });

  it("field and parameter names are configurable", () => {
    const dir = writeTree({ "openapi.yaml": listDoc({ cursor: "offset", items: "things", next: "continuation" }) });
    const ir = buildIR(loadDocument(join(dir, "openapi.yaml")), {
      pagination: { cursorParams: ["offset"], itemsFields: ["things"], nextCursorFields: ["continuation"] },
    });
    expect(ir.operations[0]?.pagination).toMatchObject({
      cursorParam: "offset",
      itemsField: "things",
      nextCursorField: "continuation",
    });
  });

  it("finds exactly the two list operations of the project spec", () => {
    const ir = buildIR(loadDocument(PROJECT_SPEC));
    expect(ir.operations.filter((o) => o.pagination).map((o) => [o.id, o.pagination?.pageModel])).toEqual([
      ["listSequences", "SequencePage"],
      ["listHistory", "HistoryPage"],
    ]);
  });
});

/** A GET /things with the given query parameters, response headers and 200 body schema (YAML flow). */
function shapeDoc(params: string[], body: string, headers = ""): string {
  return `openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /things:
    get:
      operationId: listThings
      parameters: [${params.map((p) => `{name: ${p}, in: query, schema: {type: integer}}`).join(", ")}]
      responses:
        '200':
          description: ok
${headers ? `          headers: {${headers}: {schema: {type: string}}}\n` : ""}          content:
            application/json:
              schema: ${body}
`;
}

const ARRAY = "{type: array, items: {type: string}}";

describe("other page styles", () => {
  it("a declared Link header pages by its rel=next URL, over an array body or an items member", () => {
    expect(irOf(shapeDoc(["per_page", "page"], ARRAY, "Link")).operations[0]?.pagination).toMatchObject({
      style: "link",
      itemsField: null,
      pageModel: null,
      limitParam: "per_page",
      itemType: { kind: "primitive", type: "string" },
    });
    const object = `{type: object, properties: {total_count: {type: integer}, items: ${ARRAY}}}`;
    expect(irOf(shapeDoc([], object, "link")).operations[0]?.pagination).toMatchObject({
      style: "link",
      itemsField: "items",
    });
  });

  it("a next member that is a URL pages by that URL", () => {
    const body = `{type: object, properties: {results: ${ARRAY}, next: {type: string, format: uri}}}`;
    expect(irOf(shapeDoc(["cursor"], body)).operations[0]?.pagination).toMatchObject({
      style: "nextUrl",
      itemsField: "results",
      nextCursorField: "next",
    });
  });

  it("offset and page-number parameters page by counting", () => {
    expect(irOf(shapeDoc(["offset", "limit"], ARRAY)).operations[0]?.pagination).toMatchObject({
      style: "offset",
      cursorParam: "offset",
      limitParam: "limit",
    });
    expect(irOf(shapeDoc(["page", "page_size"], ARRAY)).operations[0]?.pagination).toMatchObject({
      style: "page",
      cursorParam: "page",
      limitParam: "page_size",
    });
  });
});

describe("shapes that are not paged", () => {
  it("a list without a way to ask for the next page, or an object without a known items member", () => {
    expect(irOf(shapeDoc(["limit"], ARRAY)).operations[0]?.pagination).toBeNull();
    const object = `{type: object, properties: {things: ${ARRAY}}}`;
    expect(irOf(shapeDoc(["page"], object, "Link")).operations[0]?.pagination).toBeNull();
  });
});
