import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CursorPage, NotFoundError } from "../runtime/src/index.ts";
import { BASE, TestClient } from "./helpers.ts";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

interface Item {
  id: string;
}

/** Three pages: [a,b] → [c,d] → [e]; records the query of every request. */
function threePages() {
  const queries: string[] = [];
  const pages: Record<string, { data: Item[]; next_cursor: string | null; has_more: boolean; extra?: string }> = {
    "": { data: [{ id: "a" }, { id: "b" }], next_cursor: "c1", has_more: true, extra: "kept" },
    c1: { data: [{ id: "c" }, { id: "d" }], next_cursor: "c2", has_more: true },
    c2: { data: [{ id: "e" }], next_cursor: null, has_more: false },
  };
  server.use(
    http.get(`${BASE}/v1/items`, ({ request }) => {
      const url = new URL(request.url);
      queries.push(url.search);
      const page = pages[url.searchParams.get("cursor") ?? ""];
      return page ? HttpResponse.json(page) : HttpResponse.json({ title: "nope" }, { status: 404 });
    }),
  );
  return queries;
}

describe("cursor pagination", () => {
  it("for await iterates every item across 3 pages, repeating the query with cursor", async () => {
    const queries = threePages();
    const client = new TestClient({ apiKey: "k" });
    const ids: string[] = [];
    for await (const item of client.requestPage<Item>({
      method: "get",
      path: "/v1/items",
      query: { limit: 2, types: ["x", "y"] },
    })) {
      ids.push(item.id);
    }
    expect(ids).toEqual(["a", "b", "c", "d", "e"]);
    expect(queries).toEqual([
      "?limit=2&types=x&types=y",
      "?limit=2&types=x&types=y&cursor=c1",
      "?limit=2&types=x&types=y&cursor=c2",
    ]);
  });

  it("awaiting gives the first page; hasNextPage/getNextPage page by hand; unknown members are kept", async () => {
    threePages();
    const client = new TestClient({ apiKey: "k" });
    const first = await client.requestPage<Item>({ method: "get", path: "/v1/items" });
    expect(first).toBeInstanceOf(CursorPage);
    expect(first.data.map((i) => i.id)).toEqual(["a", "b"]);
    expect(first.next_cursor).toBe("c1");
    expect(first.body.extra).toBe("kept");
    expect(first.response.status).toBe(200);
    expect(first.hasNextPage()).toBe(true);
    const second = await first.getNextPage();
    const third = await second.getNextPage();
    expect(third.data).toEqual([{ id: "e" }]);
    expect(third.hasNextPage()).toBe(false);
    expect(() => third.getNextPage()).toThrow(/No next page/);
    const pages: number[] = [];
    for await (const page of first.iterPages()) pages.push(page.data.length);
    expect(pages).toEqual([2, 2, 1]);
  });

  it("decodes items, stops lazily when the loop breaks, and surfaces errors of later pages", async () => {
    const queries = threePages();
    const client = new TestClient({ apiKey: "k" });
    const seen: string[] = [];
    for await (const item of client.requestPage<string>({ method: "get", path: "/v1/items" }, undefined, {
      decodeItem: (json) => (json as Item).id.toUpperCase(),
    })) {
      seen.push(item);
      if (item === "C") break;
    }
    expect(seen).toEqual(["A", "B", "C"]);
    expect(queries).toHaveLength(2);

    server.use(
      http.get(`${BASE}/v1/broken`, ({ request }) =>
        new URL(request.url).searchParams.has("cursor")
          ? HttpResponse.json({ title: "gone" }, { status: 404 })
          : HttpResponse.json({ data: [1], next_cursor: "x", has_more: true }),
      ),
    );
    const got: number[] = [];
    const err = await (async () => {
      for await (const n of client.requestPage<number>({ method: "get", path: "/v1/broken" })) got.push(n);
    })().catch((e: unknown) => e);
    expect(got).toEqual([1]);
    expect(err).toBeInstanceOf(NotFoundError);
  });

  it("withResponse works on a page promise too", async () => {
    threePages();
    const client = new TestClient({ apiKey: "k" });
    const { data, response } = await client.requestPage<Item>({ method: "get", path: "/v1/items" }).withResponse();
    expect(data.data).toHaveLength(2);
    expect(response.ok).toBe(true);
  });
});

describe("pages with the member names the API declares", () => {
  it("reads items and the next token from { items, nextPageToken } (no has-more member)", async () => {
    const pages: Record<string, { items: Item[]; nextPageToken?: string }> = {
      "": { items: [{ id: "a" }, { id: "b" }], nextPageToken: "t2" },
      t2: { items: [{ id: "c" }] },
    };
    server.use(
      http.get(`${BASE}/v1/things`, ({ request }) => {
        const page = pages[new URL(request.url).searchParams.get("pageToken") ?? ""];
        return page ? HttpResponse.json(page) : HttpResponse.json({ title: "nope" }, { status: 404 });
      }),
    );
    const client = new TestClient({ apiKey: "k" });
    const ids: string[] = [];
    for await (const item of client.requestPage<Item>({ method: "get", path: "/v1/things" }, undefined, {
      cursorParam: "pageToken",
      fields: { items: "items", nextCursor: "nextPageToken", hasMore: null },
    })) {
      ids.push(item.id);
    }
    expect(ids).toEqual(["a", "b", "c"]);
  });
});
