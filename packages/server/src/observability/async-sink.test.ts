import { mkdtempSync, openSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { asyncSink } from "./async-sink.ts";

/** A fake descriptor whose writes complete when the test says so, `limit` bytes at a time. */
function fakeFd(limit = Number.POSITIVE_INFINITY) {
  const written: string[] = [];
  const inFlight: (() => void)[] = [];
  return {
    written,
    inFlight,
    write: (_fd: number, data: Buffer, done: (error: Error | null, n: number) => void) => {
      inFlight.push(() => {
        const n = Math.min(limit, data.byteLength);
        written.push(data.subarray(0, n).toString());
        done(null, n);
      });
    },
    complete() {
      for (const finish of inFlight.splice(0)) finish();
    },
  };
}

describe("asyncSink", () => {
  it("writes one batch at a time, in order; what arrives meanwhile goes out with the next write", () => {
    const fd = fakeFd();
    const sink = asyncSink({ fd: 1, write: fd.write });
    sink.write("a\n");
    sink.write("b\n");
    sink.write("c\n");
    expect(fd.inFlight).toHaveLength(1);
    fd.complete();
    fd.complete();
    expect(fd.written).toEqual(["a\n", "b\nc\n"]);
  });

  it("finishes a partial write before the next batch", () => {
    const fd = fakeFd(3);
    const sink = asyncSink({ fd: 1, write: fd.write });
    sink.write("12345\n");
    sink.write("x\n");
    for (let i = 0; i < 5; i++) fd.complete();
    expect(fd.written.join("")).toBe("12345\nx\n");
  });

  it("drops text beyond the bound while a write is stuck, and reports how many batches", () => {
    const fd = fakeFd();
    const dropped: number[] = [];
    const sink = asyncSink({ fd: 1, write: fd.write, maxPendingBytes: 10, onDropped: (n) => dropped.push(n) });
    sink.write("first\n"); // in flight
    sink.write("12345678\n"); // waits (9 bytes)
    sink.write("lost\n"); // over the bound
    sink.write("lost\n");
    fd.complete();
    fd.complete();
    expect(fd.written).toEqual(["first\n", "12345678\n"]);
    expect(dropped).toEqual([2]);
  });

  it("writes what waits synchronously on flushSync, to a real file", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "tka-sink-")), "out.log");
    const fd = openSync(file, "w");
    const sink = asyncSink({ fd });
    sink.write("one\n");
    sink.write("two\n");
    sink.flushSync();
    // "one" went to the thread pool, "two" was written synchronously: both land.
    await expect
      .poll(() => readFileSync(file, "utf8").split("\n").sort(), { timeout: 5000 })
      .toEqual(["", "one", "two"]);
  });
});
