// kill -9 during a write load loses no acknowledged write: every change the writer reported as
// committed is in the database when it is reopened.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SqliteStore } from "../src/store/sqlite/sqlite-store.ts";

describe("durability", () => {
  it("keeps every acknowledged write across a SIGKILL of the writer", async () => {
    const db = join(mkdtempSync(join(tmpdir(), "tka-crash-")), "tka.db");
    const child = spawn(process.execPath, [join(import.meta.dirname, "fixtures", "write-load.ts"), db], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const acked = new Map<string, number>();
    let buffer = "";
    let total = 0;
    await new Promise<void>((resolve, reject) => {
      child.on("error", reject);
      child.stdout.on("data", (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split("\n");
        buffer = lines.pop() ?? "";
        for (const line of lines) {
          const [id, version] = line.split(" ");
          acked.set(id as string, Number(version));
          total++;
        }
        if (total >= 400 && child.exitCode === null && !child.killed) {
          child.kill("SIGKILL");
          resolve();
        }
      });
      child.on("exit", () => resolve());
    });
    await new Promise((resolve) => child.once("close", resolve));
    expect(child.signalCode).toBe("SIGKILL");
    expect(total).toBeGreaterThanOrEqual(400);

    const store = new SqliteStore(db);
    try {
      for (const [id, version] of acked) {
        const stored = await store.getSequence("crash", id);
        expect(stored, id).not.toBeNull();
        expect(stored?.version, id).toBeGreaterThanOrEqual(version);
        expect(stored?.doc?.beats.length).toBe((stored?.version ?? 0) as number);
      }
    } finally {
      await store.close();
    }
  }, 60_000);
});
