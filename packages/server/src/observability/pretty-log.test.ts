import { describe, expect, it } from "vitest";
import { prettyLog } from "./pretty-log.ts";

const at = new Date(2026, 0, 2, 3, 4, 5, 6).getTime();

describe("prettyLog", () => {
  it("writes one readable line per entry: time, level, what happened, then key=value", () => {
    const lines: string[] = [];
    const log = prettyLog({ level: "info", write: (l) => lines.push(l), now: () => at });
    log({ level: "debug", msg: "hidden" });
    log({
      msg: "request",
      request_id: "req_1",
      method: "GET",
      route: "/api/v1/sequences",
      path: "/api/v1/sequences",
      status: 200,
      duration_ms: 1.25,
      key_id: undefined,
    });
    log({ level: "warn", msg: "database circuit", state: "open", error: "disk I/O error" });
    expect(lines).toEqual([
      "03:04:05.006 INFO  GET /api/v1/sequences 200 1.25 ms  request_id=req_1",
      '03:04:05.006 WARN  database circuit  state=open error="disk I/O error"',
    ]);
  });

  it("never passes a client's control characters to the terminal", () => {
    const lines: string[] = [];
    const log = prettyLog({ level: "info", write: (l) => lines.push(l), now: () => at });
    log({ msg: "request", method: "GET", path: "/x\x1b[2J\n", status: 404, duration_ms: 0.1, note: "a\x07" });
    expect(lines[0]).toBe('03:04:05.006 INFO  GET /x\\x1b[2J\\x0a 404 0.1 ms  note="a\\u0007"');
    expect([...(lines[0] ?? "")].some((c) => c.charCodeAt(0) < 0x20)).toBe(false);
  });

  it("colours the level when asked", () => {
    const lines: string[] = [];
    prettyLog({ level: "info", write: (l) => lines.push(l), colour: true, now: () => at })({
      level: "error",
      msg: "x",
    });
    expect(lines[0]).toContain("\x1b[31mERROR\x1b[0m x");
  });
});
