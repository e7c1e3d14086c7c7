import { describe, expect, it } from "vitest";
import { lineBuffer } from "./line-buffer.ts";

function setup(maxBytes?: number) {
  const chunks: string[] = [];
  const deferred: (() => void)[] = [];
  const buffer = lineBuffer({
    sink: (chunk) => chunks.push(chunk),
    ...(maxBytes === undefined ? {} : { maxBytes }),
    schedule: (flush) => deferred.push(flush),
  });
  const runDeferred = () => {
    for (const flush of deferred.splice(0)) flush();
  };
  return { buffer, chunks, runDeferred };
}

describe("lineBuffer", () => {
  it("writes the lines written meanwhile as one chunk, in order, when the delay is over", () => {
    const { buffer, chunks, runDeferred } = setup();
    buffer.write("a");
    buffer.write("b");
    expect(chunks).toEqual([]);
    runDeferred();
    expect(chunks).toEqual(["a\nb\n"]);
    buffer.write("c");
    runDeferred();
    expect(chunks).toEqual(["a\nb\n", "c\n"]);
  });

  it("flushes at once when the pending text reaches the limit, and on demand", () => {
    const { buffer, chunks, runDeferred } = setup(8);
    buffer.write("1234");
    buffer.write("5678");
    expect(chunks).toEqual(["1234\n5678\n"]);
    buffer.write("x");
    buffer.flush();
    expect(chunks).toEqual(["1234\n5678\n", "x\n"]);
    runDeferred();
    buffer.flush();
    expect(chunks).toHaveLength(2);
  });

  it("flushes by itself, on a timer, by default", async () => {
    const chunks: string[] = [];
    let flushed: () => void = () => {};
    const written = new Promise<void>((resolve) => {
      flushed = resolve;
    });
    const buffer = lineBuffer({
      sink: (chunk) => {
        chunks.push(chunk);
        flushed();
      },
      maxDelayMs: 5,
    });
    buffer.write("later");
    buffer.write("too");
    expect(chunks).toEqual([]);
    await written; // however late the timer fires on a busy machine
    expect(chunks).toEqual(["later\ntoo\n"]);
  });
});
