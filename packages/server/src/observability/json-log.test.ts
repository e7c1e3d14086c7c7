import { describe, expect, it } from "vitest";
import { jsonLog } from "./json-log.ts";

describe("jsonLog", () => {
  it("writes one JSON line per entry at or above the level, time first", () => {
    const lines: string[] = [];
    const log = jsonLog({ level: "info", write: (l) => lines.push(l), now: () => new Date(0) });
    log({ level: "debug", msg: "hidden" });
    log({ msg: "request", status: 200 });
    log({ level: "error", msg: "bad" });
    expect(lines).toEqual([
      '{"time":"1970-01-01T00:00:00.000Z","msg":"request","status":200}',
      '{"time":"1970-01-01T00:00:00.000Z","level":"error","msg":"bad"}',
    ]);
  });
});
