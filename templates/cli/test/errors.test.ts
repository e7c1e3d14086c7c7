import { describe, expect, it } from "vitest";
import { describeFailure, EXIT, exitCodeForStatus, UsageError } from "../runtime/errors.ts";
import {
  commands,
  definition,
  FakeAbortError,
  FakeConnectionError,
  FakeStatusError,
  FakeTimeoutError,
} from "./fixture.ts";

const { errors } = definition();
const create = commands.find((c) => c.name === "create");
const describe_ = (error: unknown) => describeFailure(error, errors, create, "thing");

describe("exit codes", () => {
  it("has one code per failure class", () => {
    expect([400, 413, 415, 422, 418].map(exitCodeForStatus)).toEqual(Array(5).fill(EXIT.invalid));
    expect([401, 403].map(exitCodeForStatus)).toEqual([EXIT.auth, EXIT.auth]);
    expect(exitCodeForStatus(404)).toBe(EXIT.notFound);
    expect([409, 412].map(exitCodeForStatus)).toEqual([EXIT.conflict, EXIT.conflict]);
    expect(exitCodeForStatus(429)).toBe(EXIT.rateLimited);
    expect([500, 503].map(exitCodeForStatus)).toEqual([EXIT.server, EXIT.server]);
    const codes = Object.values(EXIT);
    expect(new Set(codes).size).toBe(codes.length);
  });
});

describe("failure messages", () => {
  it("name the status, code, detail, every failing field with its flag, and the request id", () => {
    const body = {
      title: "Validation failed",
      code: "VALIDATION_FAILED",
      detail: "The request body has 2 invalid fields.",
      request_id: "req_1",
      errors: [
        { field: "/size", code: "maximum", message: "must be <= 10" },
        { field: "/deep/x", code: "type", message: "must be a string" },
      ],
    };
    expect(describe_(new FakeStatusError(422, body))).toEqual({
      code: EXIT.invalid,
      lines: [
        "thing: 422 Validation failed (VALIDATION_FAILED)",
        "  The request body has 2 invalid fields.",
        "  - /size (--size): must be <= 10",
        "  - /deep/x: must be a string",
        "  request id: req_1",
      ],
    });
  });

  it("say how long to wait when rate limited, and fall back to the reason phrase without a problem", () => {
    const limited = describe_(
      new FakeStatusError(429, { code: "RATE_LIMITED" }, new Headers({ "retry-after": "3" }), "req_2"),
    );
    expect(limited.code).toBe(EXIT.rateLimited);
    expect(limited.lines).toEqual([
      "thing: 429 Too Many Requests (RATE_LIMITED)",
      "  retry after: 3 s",
      "  request id: req_2",
    ]);
    expect(describe_(new FakeStatusError(502, "<html>bad gateway</html>")).lines).toEqual([
      "thing: 502 Bad Gateway",
      "  <html>bad gateway</html>",
    ]);
  });

  it("never pass a server's control characters to the terminal", () => {
    const hostile = describe_(
      new FakeStatusError(400, { title: "T\u001b]0;pwned\u0007", detail: "line1\nline2\u009b" }),
    );
    const controls = [...hostile.lines.join("")].filter(
      (c) => c.charCodeAt(0) < 0x20 || (c >= "\u007f" && c <= "\u009f"),
    );
    expect(controls).toEqual([]);
    expect(hostile.lines[1]).toBe("  line1\\u000aline2\\u009b");
  });

  it("tell connection failures, timeouts, interrupts, usage errors and bugs apart", () => {
    const refused = new FakeConnectionError("Connection error: fetch failed", {
      cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }),
    });
    expect(describe_(refused)).toEqual({
      code: EXIT.connection,
      lines: ["thing: no answer: Connection error: fetch failed (ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1)"],
    });
    expect(describe_(new FakeTimeoutError("t")).code).toBe(EXIT.connection);
    expect(describe_(new FakeTimeoutError("t")).lines[0]).toMatch(/timed out.*--timeout/);
    expect(describe_(new FakeAbortError()).code).toBe(EXIT.interrupted);
    expect(describe_(new UsageError("bad", "hint"))).toEqual({ code: EXIT.usage, lines: ["thing: bad", "  hint"] });
    expect(describe_(new TypeError("boom")).code).toBe(EXIT.unexpected);
  });
});
