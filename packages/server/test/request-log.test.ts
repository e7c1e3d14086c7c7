// The request log of the real server process: one JSON line per request, written in batches,
// and none lost when the server is stopped gracefully right after a burst of requests.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

describe("request log", () => {
  it("has one line per request, and every line is out after a graceful stop", async () => {
    const child = spawn(process.execPath, [join(import.meta.dirname, "..", "src", "main.ts")], {
      env: {
        ...process.env,
        PORT: "0",
        DATA_DIR: mkdtempSync(join(tmpdir(), "tka-log-")),
        API_KEYS: "p=log-test-key-0123456789",
        LOG_LEVEL: "info",
      },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    const closed = new Promise<number | null>((resolve) => child.on("close", resolve));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const m = /"url":"(http:\/\/[^"]+)"/.exec(out);
        if (m?.[1]) {
          clearInterval(timer);
          resolve(m[1]);
        }
      }, 20);
      child.on("exit", (code) => reject(new Error(`server exited (${code}): ${out}`)));
    });
    const n = 200;
    const statuses = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        fetch(`${url}/api/v1/health/live`, { headers: { "X-Request-Id": `r-${i}` } }).then((r) => r.status),
      ),
    );
    expect(statuses.every((s) => s === 200)).toBe(true);
    child.kill("SIGTERM");
    expect(await closed).toBe(0);
    const lines = out
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const requests = lines.filter((l) => l.msg === "request");
    expect(new Set(requests.map((l) => l.request_id))).toEqual(new Set(statuses.map((_, i) => `r-${i}`)));
    expect(requests[0]).toMatchObject({ level: "info", method: "GET", route: "/api/v1/health/live", status: 200 });
    expect(lines.map((l) => l.msg).slice(-2)).toEqual(["shutting down", "stopped"]);
  }, 60_000);
});
