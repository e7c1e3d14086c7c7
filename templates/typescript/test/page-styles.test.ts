// The pagination styles besides a body cursor: a Link header, a next-page URL in the body,
// offset/limit and page numbers. Each walks every page and stops on the last one.
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { linkNext } from "../runtime/src/index.ts";
import { BASE, TestClient } from "./helpers.ts";

const server = setupServer();
beforeAll(() => server.listen({ onUnhandledFrame: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const ITEMS = ["a", "b", "c", "d", "e"].map((id) => ({ id }));
type Item = { id: string };

async function all(iterable: AsyncIterable<Item>): Promise<string[]> {
  const out: string[] = [];
  for await (const item of iterable) out.push(item.id);
  return out;
}

describe("page styles", () => {
  it("link: follows Link rel=next (absolute and relative) over an array body, GitHub style", async () => {
    const seen: string[] = [];
    server.use(
      http.get(`${BASE}/repos`, ({ request }) => {
        const url = new URL(request.url);
        seen.push(url.search);
        const page = Number(url.searchParams.get("page") ?? "1");
        const body = ITEMS.slice((page - 1) * 2, page * 2);
        const links = [`<${BASE}/repos?per_page=2&page=1>; rel="first"`];
        if (page === 1) links.push(`<${BASE}/repos?per_page=2&page=2>; rel="next"`);
        if (page === 2) links.push(`</repos?per_page=2&page=3>; rel="next last"`);
        return HttpResponse.json(body, { headers: { Link: links.join(", ") } });
      }),
    );
    const client = new TestClient({ apiKey: "k" });
    const page = client.requestPage<Item>({ method: "get", path: "/repos", query: { per_page: 2 } }, undefined, {
      style: "link",
      fields: { items: null, nextCursor: "", hasMore: null },
    });
    expect(await all(page)).toEqual(["a", "b", "c", "d", "e"]);
    expect(seen).toEqual(["?per_page=2", "?per_page=2&page=2", "?per_page=2&page=3"]);
  });

  it("nextUrl: follows the body's next URL, and refuses one on another origin", async () => {
    server.use(
      http.get(`${BASE}/things`, ({ request }) => {
        const after = Number(new URL(request.url).searchParams.get("after") ?? "0");
        const next = after + 2 < ITEMS.length ? `${BASE}/things?after=${after + 2}` : null;
        return HttpResponse.json({ results: ITEMS.slice(after, after + 2), next });
      }),
      http.get(`${BASE}/evil`, () => HttpResponse.json({ results: [{ id: "x" }], next: "https://evil.test/steal" })),
    );
    const client = new TestClient({ apiKey: "k" });
    const fields = { items: "results", nextCursor: "next", hasMore: null };
    const page = client.requestPage<Item>({ method: "get", path: "/things" }, undefined, { style: "nextUrl", fields });
    expect(await all(page)).toEqual(["a", "b", "c", "d", "e"]);
    const evil = client.requestPage<Item>({ method: "get", path: "/evil" }, undefined, { style: "nextUrl", fields });
    await expect(all(evil)).rejects.toThrow(/another origin: https:\/\/evil\.test/);
  });

  it("offset: advances by the items received and stops at a short page", async () => {
    const seen: string[] = [];
    server.use(
      http.get(`${BASE}/offset`, ({ request }) => {
        const url = new URL(request.url);
        seen.push(url.search);
        const offset = Number(url.searchParams.get("offset") ?? "0");
        const limit = Number(url.searchParams.get("limit"));
        return HttpResponse.json({ items: ITEMS.slice(offset, offset + limit), total: ITEMS.length });
      }),
    );
    const client = new TestClient({ apiKey: "k" });
    const page = client.requestPage<Item>({ method: "get", path: "/offset", query: { limit: 2 } }, undefined, {
      style: "offset",
      cursorParam: "offset",
      limitParam: "limit",
      fields: { items: "items", nextCursor: "", hasMore: null },
    });
    expect(await all(page)).toEqual(["a", "b", "c", "d", "e"]);
    expect(seen).toEqual(["?limit=2", "?limit=2&offset=2", "?limit=2&offset=4"]);
  });

  it("page: advances the page number from the one sent and stops at an empty page", async () => {
    const seen: string[] = [];
    server.use(
      http.get(`${BASE}/paged`, ({ request }) => {
        const url = new URL(request.url);
        seen.push(url.search);
        const page = Number(url.searchParams.get("page"));
        return HttpResponse.json(ITEMS.slice((page - 1) * 3, page * 3));
      }),
    );
    const client = new TestClient({ apiKey: "k" });
    const page = client.requestPage<Item>({ method: "get", path: "/paged", query: { page: 1 } }, undefined, {
      style: "page",
      cursorParam: "page",
      fields: { items: null, nextCursor: "", hasMore: null },
    });
    expect(await all(page)).toEqual(["a", "b", "c", "d", "e"]);
    expect(seen).toEqual(["?page=1", "?page=2", "?page=3"]);
  });

  it("reads Link headers as RFC 8288 writes them", () => {
    expect(linkNext('<https://x.test/a?page=2>; rel="next", <https://x.test/a?page=9>; rel="last"')).toBe(
      "https://x.test/a?page=2",
    );
    expect(linkNext('<https://x.test/p3>; title="x"; REL=next')).toBe("https://x.test/p3");
    expect(linkNext('<https://x.test/a>; rel="prev"')).toBeNull();
    expect(linkNext(null)).toBeNull();
  });
});
