import type { Model, Operation, Pagination, TypeRef } from "./types.ts";

/** Names pagination detection looks for (first match wins). */
export interface PaginationOptions {
  cursorParams: string[];
  limitParams: string[];
  itemsFields: string[];
  nextCursorFields: string[];
  hasMoreFields: string[];
}

export const DEFAULT_PAGINATION: PaginationOptions = {
  cursorParams: ["cursor", "page_token", "pageToken", "after", "starting_after"],
  limitParams: ["limit", "page_size", "pageSize", "per_page", "max_results"],
  itemsFields: ["data", "items", "results", "entries"],
  nextCursorFields: ["next_cursor", "nextCursor", "next_page_token", "nextPageToken", "next"],
  hasMoreFields: ["has_more", "hasMore", "has_next"],
};

/**
 * Cursor pagination from the shape: a GET with a cursor query parameter whose success
 * response is an object model with an array field and a next-cursor field.
 */
export function detectPagination(
  op: Operation,
  models: Map<string, Model>,
  opts: PaginationOptions,
): Pagination | null {
  if (op.method !== "get") return null;
  const cursor = op.parameters.find((p) => p.in === "query" && opts.cursorParams.includes(p.name));
  if (!cursor) return null;
  const success = op.responses.find((r) => r.status === op.successStatus);
  const json = success?.contents.find((c) => c.kind === "json");
  if (json?.type?.kind !== "model") return null;
  let page = models.get(json.type.name);
  while (page?.kind === "alias" && page.type.kind === "model") page = models.get(page.type.name);
  if (page?.kind !== "object") return null;
  const field = (names: string[], ok: (t: TypeRef) => boolean) => {
    for (const n of names) {
      const p = page.properties.find((x) => x.wireName === n);
      if (p && ok(p.type)) return p;
    }
    return undefined;
  };
  const items = field(opts.itemsFields, (t) => t.kind === "array");
  const next = field(opts.nextCursorFields, (t) => t.kind === "primitive" && t.type === "string");
  if (!items || !next || items.type.kind !== "array") return null;
  const hasMore = field(opts.hasMoreFields, (t) => t.kind === "primitive" && t.type === "boolean");
  const limit = op.parameters.find((p) => p.in === "query" && opts.limitParams.includes(p.name));
  return {
    style: "cursor",
    cursorParam: cursor.name,
    limitParam: limit?.name ?? null,
    pageModel: page.name,
    itemsField: items.wireName,
    nextCursorField: next.wireName,
    hasMoreField: hasMore?.wireName ?? null,
    itemType: items.type.items,
  };
}
