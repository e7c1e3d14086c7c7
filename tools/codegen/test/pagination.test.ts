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
    expect(irOf(listDoc({ cursor: "offset" })).operations[0]?.pagination).toBeNull();
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
