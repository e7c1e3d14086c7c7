import type { Model, ObjectModel, Operation, Pagination, TypeRef } from "./types.ts";

/** Names pagination detection looks for (first match wins). */
export interface PaginationOptions {
  cursorParams: string[];
  limitParams: string[];
  itemsFields: string[];
  nextCursorFields: string[];
  hasMoreFields: string[];
  /** A next page's URL (besides `nextCursorFields` members that are URLs). */
  nextUrlFields: string[];
  offsetParams: string[];
  pageParams: string[];
}

export const DEFAULT_PAGINATION: PaginationOptions = {
  cursorParams: ["cursor", "page_token", "pageToken", "after", "starting_after"],
  limitParams: ["limit", "page_size", "pageSize", "per_page", "max_results"],
  itemsFields: ["data", "items", "results", "entries"],
  nextCursorFields: ["next_cursor", "nextCursor", "next_page_token", "nextPageToken", "next"],
  hasMoreFields: ["has_more", "hasMore", "has_next"],
  nextUrlFields: ["next_url", "nextUrl", "next_link", "nextLink", "next_page_url", "nextPageUrl"],
  offsetParams: ["offset", "skip", "start"],
  pageParams: ["page", "page_number", "pageNumber"],
};

/**
 * Pagination from the shape of a GET operation whose success answer is a list (an array, or an
 * object with an array member from `opts.itemsFields`), first match wins:
 * - `link`: the answer declares a `Link` header (GitHub's style: its `rel="next"` URL);
 * - `cursor`: a cursor query parameter and a next-cursor string member (not a URL);
 * - `nextUrl`: a next member that is a URL (`format: uri`/`url`);
 * - `offset`: an offset query parameter (advanced by the items received);
 * - `page`: a page-number query parameter (advanced by one).
 * `offset` and `page` stop at an empty page or one shorter than the limit sent. Anything else is
 * not paged: its method returns the one answer, never an iterator that could yield nothing.
 */
export function detectPagination(
  op: Operation,
  models: Map<string, Model>,
  opts: PaginationOptions,
): Pagination | null {
  if (op.method !== "get") return null;
  const success = op.responses.find((r) => r.status === op.successStatus);
  const json = success?.contents.find((c) => c.kind === "json");
  if (!json?.type) return null;
  const query = (names: string[]) => op.parameters.find((p) => p.in === "query" && names.includes(p.name));
  const limit = query(opts.limitParams);
  // An array, or an object model, through aliases.
  const resolve = (t: TypeRef, depth = 0): { array: TypeRef } | { object: ObjectModel } | null => {
    if (t.kind === "array") return { array: t.items };
    if (t.kind !== "model" || depth > 20) return null;
    const m = models.get(t.name);
    if (m?.kind === "object") return { object: m };
    return m?.kind === "alias" ? resolve(m.type, depth + 1) : null;
  };
  const body = resolve(json.type);
  let page: ObjectModel | null = null;
  let itemType: TypeRef | null = null;
  let itemsField: string | null = null;
  if (body && "array" in body) itemType = body.array;
  else if (body && "object" in body) {
    page = body.object;
    for (const n of opts.itemsFields) {
      const p = page.properties.find((x) => x.wireName === n);
      const t = p ? resolve(p.type) : null;
      if (p && t && "array" in t) {
        itemType = t.array;
        itemsField = p.wireName;
        break;
      }
    }
  }
  if (itemType === null) return null;
  const base = {
    limitParam: limit?.name ?? null,
    pageModel: page?.name ?? null,
    itemsField,
    hasMoreField: null,
    itemType,
  };
  if (success?.headers.some((h) => h.name.toLowerCase() === "link")) {
    return { ...base, style: "link", cursorParam: "", nextCursorField: "" };
  }
  const member = (names: string[], ok: (t: TypeRef) => boolean) =>
    page?.properties.find((x) => names.includes(x.wireName) && ok(x.type));
  const isUrl = (t: TypeRef) =>
    t.kind === "primitive" && t.type === "string" && (t.format === "uri" || t.format === "url");
  const cursor = query(opts.cursorParams);
  const next = member(opts.nextCursorFields, (t) => t.kind === "primitive" && t.type === "string" && !isUrl(t));
  if (cursor && next && page) {
    const hasMore = opts.hasMoreFields
      .map((n) => page.properties.find((x) => x.wireName === n))
      .find((p) => p?.type.kind === "primitive" && p.type.type === "boolean");
    return {
      ...base,
      style: "cursor",
      cursorParam: cursor.name,
      nextCursorField: next.wireName,
      hasMoreField: hasMore?.wireName ?? null,
    };
  }
  const nextUrl = member([...opts.nextCursorFields, ...opts.nextUrlFields], isUrl);
  if (nextUrl) return { ...base, style: "nextUrl", cursorParam: "", nextCursorField: nextUrl.wireName };
  const offset = query(opts.offsetParams);
  if (offset) return { ...base, style: "offset", cursorParam: offset.name, nextCursorField: "" };
  const pageNumber = query(opts.pageParams);
  if (pageNumber) return { ...base, style: "page", cursorParam: pageNumber.name, nextCursorField: "" };
  return null;
}
