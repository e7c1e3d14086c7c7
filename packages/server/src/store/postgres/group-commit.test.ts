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
    const committer = new GroupCommitter(write, { maxBatch: 10 });
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
    const committer = new GroupCommitter(write, { maxBatch: 4, maxInFlight: 2 });
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
    const committer = new GroupCommitter<number, string>(async () => [{ ok: true, value: "only one" }], {
      maxBatch: 10,
    });
    const [a, b] = await Promise.allSettled([committer.commit(1), committer.commit(2)]);
    expect(a).toEqual({ status: "fulfilled", value: "only one" });
    expect(b?.status).toBe("rejected");
  });

  it("caps a batch by bytes too, always taking at least one commit", async () => {
    const { batches, write } = manualWriter();
    // The commit's number is its size: 48 documents of a megabyte are not one 48 MB statement.
    const committer = new GroupCommitter(write, { maxBatch: 48, maxBatchBytes: 4, sizeOf: (n: number) => n });
    const all = [1, 1, 1, 2, 9, 1, 3, 1].map((n) => committer.commit(n));
    const ok = (b: { items: readonly number[] }) => b.items.map((n) => ({ ok: true as const, value: `v${n}` }));
    for (let i = 0; i < 5; i++) {
      await turn();
      batches[i]?.settle(ok(batches[i] as { items: readonly number[] }));
    }
    await Promise.all(all);
    expect(batches.map((b) => b.items)).toEqual([[1, 1, 1], [2], [9], [1, 3], [1]]);
  });

  it("fails the commits still waiting with a batch that got no answer, and only then", async () => {
    const { batches, write } = manualWriter();
    const noAnswer = new Error("Query read timeout");
    const committer = new GroupCommitter(write, { maxBatch: 2, failsWaiting: (e) => e === noAnswer });
    const settled = Promise.allSettled([1, 2, 3, 4, 5].map((n) => committer.commit(n)));
    await turn();
    batches[0]?.settle(new Error("some other failure"));
    await turn();
    expect(batches[1]?.items).toEqual([3, 4]); // the others go on being sent
    batches[1]?.settle(noAnswer);
    const results = await settled;
    expect(results.map((r) => (r.status === "rejected" ? (r.reason as Error).message : r.value))).toEqual([
      "some other failure",
      "some other failure",
      "Query read timeout",
      "Query read timeout",
      "Query read timeout", // never sent: no batch of its own waited for the same silence
    ]);
    expect(batches).toHaveLength(2);
    // Later commits are sent again as usual.
    const later = committer.commit(6);
    await turn();
    batches[2]?.settle([{ ok: true, value: "six" }]);
    expect(await later).toBe("six");
  });
});
