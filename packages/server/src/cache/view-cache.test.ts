import { describe, expect, it } from "vitest";
import { ViewCache } from "./view-cache.ts";

function deferred<T>() {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe("ViewCache", () => {
  it("loads once, then answers from memory for the same project only", async () => {
    const cache = new ViewCache<string>({ maxEntries: 10 });
    let loads = 0;
    const load = async () => `v${++loads}`;
    expect(await cache.read("p1", "s1", load)).toBe("v1");
    expect(await cache.read("p1", "s1", load)).toBe("v1");
    expect(await cache.read("p2", "s1", load)).toBe("v2");
    expect(loads).toBe(2);
  });

  it("drops a sequence's entry when a commit of it starts, and keeps nothing until it ends", async () => {
    const cache = new ViewCache<string>({ maxEntries: 10 });
    let loads = 0;
    const load = async () => `v${++loads}`;
    await cache.read("p", "s1", load);
    await cache.read("p", "s2", load);
    cache.commitStarted("s1");
    expect(await cache.read("p", "s1", load)).toBe("v3");
    expect(await cache.read("p", "s1", load)).toBe("v4"); // not kept while the commit is under way
    expect(await cache.read("p", "s2", load)).toBe("v2");
    cache.commitEnded("s1");
    expect(await cache.read("p", "s1", load)).toBe("v5");
    expect(await cache.read("p", "s1", load)).toBe("v5");
  });

  it("keeps nothing while any of several commits of a sequence is under way", async () => {
    const cache = new ViewCache<string>({ maxEntries: 10 });
    cache.commitStarted("s");
    cache.commitStarted("s");
    cache.commitEnded("s");
    await cache.read("p", "s", async () => "during");
    expect(cache.size).toBe(0);
    cache.commitEnded("s");
    await cache.read("p", "s", async () => "after");
    expect(cache.size).toBe(1);
  });

  it.each([
    ["starts", (c: ViewCache<string>) => c.commitStarted("s")],
    ["ends", (c: ViewCache<string>) => c.commitEnded("s")],
    [
      "starts and ends",
      (c: ViewCache<string>) => {
        c.commitStarted("s");
        c.commitEnded("s");
      },
    ],
  ])("does not keep what a read loaded while a commit %s", async (_, commit) => {
    const cache = new ViewCache<string>({ maxEntries: 10 });
    const slow = deferred<string>();
    const reading = cache.read("p", "s", () => slow.promise);
    commit(cache);
    slow.resolve("maybe before the commit");
    expect(await reading).toBe("maybe before the commit");
    expect(cache.size).toBe(0);
  });

  it("does not keep a failed load", async () => {
    const cache = new ViewCache<string>({ maxEntries: 10 });
    await expect(cache.read("p", "s", () => Promise.reject(new Error("gone")))).rejects.toThrow("gone");
    expect(cache.size).toBe(0);
  });

  it("keeps at most maxEntries, dropping the least recently used", async () => {
    const cache = new ViewCache<string>({ maxEntries: 2 });
    await cache.read("p", "a", async () => "a1");
    await cache.read("p", "b", async () => "b1");
    await cache.read("p", "a", async () => "a2"); // a is now the most recently used
    await cache.read("p", "c", async () => "c1");
    expect(cache.size).toBe(2);
    expect(await cache.read("p", "a", async () => "a3")).toBe("a1");
    expect(await cache.read("p", "b", async () => "b2")).toBe("b2");
  });
});
