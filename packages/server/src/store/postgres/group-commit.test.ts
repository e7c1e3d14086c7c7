import { describe, expect, it } from "vitest";
import { GroupCommitter, type Outcome } from "./group-commit.ts";

/** A writer whose batches the test settles by hand. */
function manualWriter() {
  const batches: { items: readonly number[]; settle: (outcomes: Outcome<string>[] | Error) => void }[] = [];
  const write = (items: readonly number[]) =>
    new Promise<Outcome<string>[]>((resolve, reject) => {
      batches.push({ items, settle: (o) => (o instanceof Error ? reject(o) : resolve(o)) });
    });
  return { batches, write };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("GroupCommitter", () => {
  it("sends what one turn asks for as one batch, and what queues meanwhile as the next", async () => {
    const { batches, write } = manualWriter();
    const committer = new GroupCommitter(write, 10);
    const first = [1, 2, 3].map((n) => committer.commit(n));
    await turn();
    expect(batches.map((b) => b.items)).toEqual([[1, 2, 3]]);
    const second = [4, 5].map((n) => committer.commit(n));
    await turn();
    expect(batches).toHaveLength(1); // one batch in flight at a time
    batches[0]?.settle([
      { ok: true, value: "a" },
      { ok: false, error: new Error("lost") },
      { ok: true, value: "c" },
    ]);
    expect(await Promise.allSettled(first)).toEqual([
      { status: "fulfilled", value: "a" },
      { status: "rejected", reason: new Error("lost") },
      { status: "fulfilled", value: "c" },
    ]);
    expect(batches.map((b) => b.items)).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    batches[1]?.settle(new Error("connection lost"));
    for (const result of await Promise.allSettled(second)) {
      expect(result).toEqual({ status: "rejected", reason: new Error("connection lost") });
    }
  });

  it("splits a long queue into batches of at most maxBatch, and drain waits for all", async () => {
    const { batches, write } = manualWriter();
    const committer = new GroupCommitter(write, 4, 2);
    const all = Array.from({ length: 10 }, (_, n) => committer.commit(n));
    await turn();
    expect(batches.map((b) => b.items)).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
    let drained = false;
    const drain = committer.drain().then(() => {
      drained = true;
    });
    const ok = (b: { items: readonly number[] }) => b.items.map((n) => ({ ok: true as const, value: `v${n}` }));
    batches[0]?.settle(ok(batches[0]));
    await turn();
    expect(batches[2]?.items).toEqual([8, 9]);
    batches[1]?.settle(ok(batches[1]));
    await turn();
    expect(drained).toBe(false);
    batches[2]?.settle(ok(batches[2]));
    await drain;
    expect(await Promise.all(all)).toEqual(Array.from({ length: 10 }, (_, n) => `v${n}`));
  });

  it("fails a commit the writer gave no outcome for", async () => {
    const committer = new GroupCommitter<number, string>(async () => [{ ok: true, value: "only one" }], 10);
    const [a, b] = await Promise.allSettled([committer.commit(1), committer.commit(2)]);
    expect(a).toEqual({ status: "fulfilled", value: "only one" });
    expect(b?.status).toBe("rejected");
  });
});
