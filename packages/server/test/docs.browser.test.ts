// The API reference page, rendered by a real headless Chromium against a real server.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { buildServer } from "../src/server.ts";

const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const run = promisify(execFile);
let url = "";
let stop: () => Promise<void> = async () => {};

beforeAll(async () => {
  const built = await buildServer(loadConfig([], { DATA_DIR: mkdtempSync(join(tmpdir(), "tka-docs-")) }), () => {});
  const server = serve({ fetch: built.app.fetch, hostname: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  stop = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await built.store.close();
  };
});

afterAll(() => stop());

// Outside CI a machine without Chromium skips this file; in CI it must run.
describe.runIf(existsSync(chromium) || process.env.CI === "true")("/docs in headless Chromium", () => {
  it("renders the reference from the local bundle, listing the operations", async () => {
    const profile = mkdtempSync(join(tmpdir(), "tka-chromium-"));
    const { stdout } = await run(
      chromium,
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${profile}`,
        "--virtual-time-budget=15000",
        "--dump-dom",
        `${url}/docs`,
      ],
      { timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
    );
    // Scalar renders the first tag's operations and every tag in the sidebar; the rest is lazy.
    expect(stdout).toContain("TKA API");
    for (const text of ["Get health", "Readiness probe", "Sequences", "Beats", "History", "Events", "X-API-Key"]) {
      expect(stdout).toContain(text);
    }
  }, 90_000);
});
