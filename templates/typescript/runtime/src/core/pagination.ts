import { APIPromise, type APIResponseProps } from "./api-promise.ts";

/** The wire shape of a cursor page. Other members the server sends are kept in `CursorPage.body`. */
export interface PageBody {
  data?: unknown[] | null;
  next_cursor?: string | null;
  has_more?: boolean | null;
  [key: string]: unknown;
}

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
  ) {
    const raw = Array.isArray(body.data) ? body.data : [];
    this.data = decodeItem ? raw.map(decodeItem) : (raw as Item[]);
    this.next_cursor = typeof body.next_cursor === "string" ? body.next_cursor : null;
    this.has_more = body.has_more === true;
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
 * every item across all pages.
 */
export class PagePromise<Item> extends APIPromise<CursorPage<Item>> implements AsyncIterable<Item> {
  constructor(
    responsePromise: Promise<APIResponseProps>,
    parse: (props: APIResponseProps) => CursorPage<Item> | Promise<CursorPage<Item>>,
  ) {
    super(responsePromise, parse);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Item, void, undefined> {
    const first = await this;
    yield* first;
  }
}
