import type { QueryParams } from "../internal/query.ts";
import type { APIPromise } from "./api-promise.ts";

/** The wire shape of a cursor page. Other members the server sends are kept in `CursorPage.body`. */
export interface PageBody {
  data?: unknown[] | null;
  next_cursor?: string | null;
  has_more?: boolean | null;
  [key: string]: unknown;
}

/**
 * Where a page body keeps its items, the next page's cursor and (when it says so) whether more
 * pages follow: `{ data, next_cursor, has_more }` by default, `{ items, nextPageToken }` and
 * other spellings as the API declares them.
 */
export interface PageFields {
  /** The items' member; `null` when the body is the array of items itself. */
  items: string | null;
  /** The next page's cursor (style `cursor`) or URL (style `nextUrl`). */
  nextCursor: string;
  hasMore: string | null;
}

/**
 * How the next page is asked for:
 * - `cursor`: the body's next cursor, sent back in the cursor parameter;
 * - `nextUrl`: the body's next member is the next page's URL;
 * - `link`: the `Link` header's `rel="next"` URL (RFC 8288);
 * - `offset`: the offset parameter advanced by the items received;
 * - `page`: the page-number parameter advanced by one.
 * `offset` and `page` stop at an empty page, or a page shorter than the limit sent.
 */
export type PageStyle = "cursor" | "nextUrl" | "link" | "offset" | "page";

/** The `rel="next"` target of a `Link` header, or null. */
export function linkNext(header: string | null): string | null {
  if (!header) return null;
  for (const m of header.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const rel = /;\s*rel\s*=\s*"?([^";]+)"?/i.exec(m[2] ?? "")?.[1];
    if (rel?.toLowerCase().split(/\s+/).includes("next")) return m[1] ?? null;
  }
  return null;
}

export const DEFAULT_PAGE_FIELDS: PageFields = { items: "data", nextCursor: "next_cursor", hasMore: "has_more" };

/**
 * One page of a cursor-paginated list: `{ data, next_cursor, has_more }`. Iterate it with
 * `for await` for every item from this page on, or page by hand with `hasNextPage()` / `getNextPage()`.
 */
export class CursorPage<Item> implements AsyncIterable<Item> {
  /** The items of this page. */
  readonly data: Item[];
  /** The cursor of the next page, or null on the last page. */
  readonly next_cursor: string | null;
  /** Whether more pages follow. */
  readonly has_more: boolean;
  /** The whole decoded page body, including members the runtime does not know. */
  readonly body: PageBody;
  /** The HTTP response this page came from. */
  readonly response: Response;
  readonly #fetchPage: (cursor: string) => PagePromise<Item>;
  readonly #cursor: string | undefined;

  constructor(
    body: PageBody,
    response: Response,
    fetchPage: (cursor: string) => PagePromise<Item>,
    decodeItem?: ((json: unknown) => Item) | undefined,
    cursor?: string | undefined,
    fields: PageFields = DEFAULT_PAGE_FIELDS,
    /** The next page's cursor, offset, page number or URL as the style computed it (else read from the body). */
    next?: string | null,
  ) {
    const items = fields.items === null ? body : body[fields.items];
    const raw = Array.isArray(items) ? (items as unknown[]) : [];
    this.data = decodeItem ? raw.map(decodeItem) : (raw as Item[]);
    if (next !== undefined) {
      this.next_cursor = next;
      this.has_more = next !== null;
    } else {
      const found = body[fields.nextCursor];
      this.next_cursor = typeof found === "string" && found !== "" ? found : null;
      // Without a has-more member, a next cursor is the sign of another page.
      const more = fields.hasMore === null ? undefined : body[fields.hasMore];
      this.has_more = typeof more === "boolean" ? more : this.next_cursor !== null;
    }
    this.body = body;
    this.response = response;
    this.#fetchPage = fetchPage;
    this.#cursor = cursor;
  }

  /** True when another page can be fetched (guards against a server repeating the same cursor). */
  hasNextPage(): boolean {
    return this.has_more && this.next_cursor !== null && this.next_cursor !== "" && this.next_cursor !== this.#cursor;
  }

  /** Fetches the next page: the same request with `cursor = next_cursor`. Throws if there is none. */
  getNextPage(): PagePromise<Item> {
    if (!this.hasNextPage() || this.next_cursor === null) {
      throw new Error("No next page: check hasNextPage() first.");
    }
    return this.#fetchPage(this.next_cursor);
  }

  /** Every page from this one on, fetched lazily. */
  async *iterPages(): AsyncGenerator<CursorPage<Item>, void, undefined> {
    let page: CursorPage<Item> = this;
    yield page;
    while (page.hasNextPage()) {
      page = await page.getNextPage();
      yield page;
    }
  }

  /** Every item from this page on, across pages, fetched lazily. */
  async *[Symbol.asyncIterator](): AsyncGenerator<Item, void, undefined> {
    for await (const page of this.iterPages()) {
      yield* page.data;
    }
  }
}

/**
 * What a generated list method returns: `await` it for the first page, or `for await` over it for
 * every item across all pages. A native promise, as APIPromise.
 */
export interface PagePromise<Item> extends APIPromise<CursorPage<Item>>, AsyncIterable<Item> {}

/** Makes a call's promise of its first page a PagePromise. */
export function pagePromise<Item>(promise: APIPromise<CursorPage<Item>>): PagePromise<Item> {
  const p = promise as PagePromise<Item>;
  p[Symbol.asyncIterator] = iterateItems;
  return p;
}

async function* iterateItems<Item>(this: PagePromise<Item>): AsyncGenerator<Item, void, undefined> {
  const first = await this;
  yield* first;
}

/**
 * The next page's cursor, offset, page number or URL for a style other than `cursor` (whose
 * page reads its own body): null on the last page.
 */
export function nextPage(
  style: PageStyle,
  body: PageBody,
  response: Response,
  fields: PageFields,
  query: QueryParams | undefined,
  param: string,
  limitParam: string | undefined,
): string | null | undefined {
  if (style === "cursor") return undefined;
  if (style === "link") return linkNext(response.headers.get("link"));
  if (style === "nextUrl") {
    const next = body[fields.nextCursor];
    return typeof next === "string" && next !== "" ? next : null;
  }
  const items = fields.items === null ? body : body[fields.items];
  const count = Array.isArray(items) ? items.length : 0;
  const sent = (name: string | undefined): number | undefined => {
    const value = name === undefined ? undefined : (query as Record<string, unknown> | undefined)?.[name];
    const n = typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN;
    return Number.isFinite(n) ? n : undefined;
  };
  const limit = sent(limitParam);
  if (count === 0 || (limit !== undefined && count < limit)) return null;
  if (style === "offset") return String((sent(param) ?? 0) + count);
  return String((sent(param) ?? 1) + 1);
}
