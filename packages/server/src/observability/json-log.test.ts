import { describe, expect, it } from "vitest";
import { jsonLog } from "./json-log.ts";

describe("jsonLog", () => {
  it("writes one JSON line per entry at or above the level, time first", () => {
    const lines: string[] = [];
    const log = jsonLog({ level: "info", write: (l) => lines.push(l), now: () => 0 });
    log({ level: "debug", msg: "hidden" });
    log({ msg: "request", status: 200, path: '/a"b\n' });
    log({ level: "error", msg: "bad" });
    log({});
    log({ time: "mine", msg: "x" });
    expect(lines).toEqual([
      '{"time":"1970-01-01T00:00:00.000Z","msg":"request","status":200,"path":"/a\\"b\\n"}',
      '{"time":"1970-01-01T00:00:00.000Z","level":"error","msg":"bad"}',
      '{"time":"1970-01-01T00:00:00.000Z"}',
      '{"time":"mine","msg":"x"}',
    ]);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });

  it("formats the time of each millisecond", () => {
    const lines: string[] = [];
    let ms = 1_000;
    const log = jsonLog({ level: "info", write: (l) => lines.push(l), now: () => ms });
    log({ msg: "a" });
    log({ msg: "b" });
    ms = 1_001;
    log({ msg: "c" });
    expect(lines.map((l) => (JSON.parse(l) as { time: string }).time)).toEqual([
      "1970-01-01T00:00:01.000Z",
      "1970-01-01T00:00:01.000Z",
      "1970-01-01T00:00:01.001Z",
    ]);
  });
});
