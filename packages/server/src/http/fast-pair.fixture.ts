// Test fixture shared by the fast-path suites: one in-process server behind two real node:http
// servers, one with the fast path in front of Hono and one with Hono alone, so each case can be
// sent both ways and the answers compared. Not part of the server; imported by tests only.
import { mkdtempSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getRequestListener } from "@hono/node-server";
import { loadConfig } from "../config.ts";
import { buildServer } from "../server.ts";
import type { FastPath } from "./fast-admit.ts";
import { createServerWith } from "./fast-read.ts";

export const KEY_A = "key-a-0123456789abcdef";
export const KEY_B = "key-b-0123456789abcdef";

const closers: (() => Promise<void>)[] = [];

/** Closes every server and store the fixture opened; register with `afterEach`. */
export async function closeFastPairs(): Promise<void> {
  for (const close of closers.splice(0)) await close();
}

async function listen(server: ReturnType<ReturnType<typeof createServerWith>>): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => new Promise((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A server on a fresh data directory (keys alpha and beta, one CORS origin) and its two doors. */
export async function fastPair(env: Record<string, string> = {}) {
  const config = loadConfig([], {
    DATA_DIR: mkdtempSync(join(tmpdir(), "tka-fast-")),
    API_KEYS: `alpha=${KEY_A},beta=${KEY_B}`,
    CORS_ORIGINS: "http://app.example",
    ...env,
  });
  const lines: Record<string, unknown>[] = [];
  const built = await buildServer(config, (line) => lines.push(line));
  closers.push(() => built.store.close());
  let fastAnswers = 0;
  const counted: FastPath = (req, res) => {
    const answered = built.fastPath(req, res);
    if (answered) fastAnswers++;
    return answered;
  };
  const listener = getRequestListener(built.app.fetch);
  const withFast = await listen(createServerWith(counted)({}, listener));
  const honoOnly = await listen(createServerWith(undefined)({}, listener));
  /** Creates a sequence through Hono alone and returns its id. */
  const create = async () =>
    (
      (await (
        await fetch(`${honoOnly}/api/v1/sequences`, {
          method: "POST",
          headers: { "X-API-Key": KEY_A, "Content-Type": "application/json" },
          body: JSON.stringify({ name: "Flow", length: 3 }),
        })
      ).json()) as { id: string }
    ).id;
  return { withFast, honoOnly, create, lines, built, fastAnswers: () => fastAnswers };
}

/** Headers in order, without the ones that differ between any two answers. */
export function comparableHeaders(response: Response, normal: (v: string) => string = (v) => v): [string, string][] {
  const varying = new Set(["date", "server-timing", "ratelimit-remaining", "ratelimit-reset"]);
  return [...response.headers].filter(([name]) => !varying.has(name)).map(([n, v]) => [n, normal(v)]);
}
