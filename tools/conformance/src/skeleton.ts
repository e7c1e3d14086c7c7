// The Hono skeleton under `tsp-spector knock`: every scenario folder's generated skeleton is
// mounted in one Hono app (under its server path, when the document's server URL has one), and
// its handlers are data too: a handler receives the skeleton's parsed, validated input, looks for
// the mock API endpoint of that operation whose expected request equals it (path, query, header
// values and body, as spector's mock expects them), and answers that endpoint's response. An
// input that matches none is answered 400 naming what differed, so knock sees the failure. The
// verdict per scenario is knock's own output.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { serve } from "@hono/node-server";
import type { ApiIR } from "@tka/codegen/src/api.ts";
import { Hono } from "hono";
import type { Call } from "./derive.ts";
import { packageRoot, specsRoot } from "./paths.ts";

export interface SkeletonScenario {
  scenario: string;
  dir: string;
  ir: ApiIR;
  calls: Call[];
}

type Input = {
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  headers: Record<string, unknown>;
  body: unknown;
};

/** Starts the app on a free port; `serveDir` adds one generated skeleton with its scenarios. */
export async function startSkeleton(): Promise<{
  baseUrl: string;
  mount(dir: string, ir: ApiIR, scenarios: SkeletonScenario[]): Promise<void>;
  close(): Promise<void>;
}> {
  const app = new Hono();
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    baseUrl: `http://localhost:${port}`,
    async mount(dir, ir, scenarios) {
      const { registerRoutes } = (await import(pathToFileURL(join(dir, "index.ts")).href)) as {
        registerRoutes: (app: Hono, handlers: unknown, options: unknown) => void;
      };
      const calls = scenarios.flatMap((s) => s.calls);
      const prefixes = [...new Set(calls.map((c) => (c.baseUrl ? new URL(c.baseUrl).pathname : "")))];
      for (const prefix of prefixes) {
        const sub = new Hono();
        registerRoutes(
          sub,
          handlers(
            ir,
            calls.filter((c) => (c.baseUrl ? new URL(c.baseUrl).pathname : "") === prefix),
          ),
          {
            problem: (
              c: { json: (b: unknown, s: number) => Response },
              status: number,
              code: string,
              detail: string,
              errors: unknown,
            ) => c.json({ status, code, detail, errors }, status),
          },
        );
        app.route(prefix || "/", sub);
      }
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function handlers(ir: ApiIR, calls: Call[]): unknown {
  const byMethod = new Map<string, Call[]>();
  for (const op of ir.operations) {
    const group = ir.groups.find((g) => g.name === op.group)?.names?.typescript?.property ?? op.group;
    const method = op.names?.typescript?.method ?? op.id;
    byMethod.set(
      `${group}.${method}`,
      calls.filter((c) => c.operationId === op.id),
    );
  }
  return new Proxy(
    {},
    {
      get: (_, group: string) =>
        new Proxy(
          {},
          {
            get: (_, method: string) => async (input: Input) => answer(byMethod.get(`${group}.${method}`) ?? [], input),
          },
        ),
    },
  );
}

async function answer(candidates: Call[], input: Input): Promise<unknown> {
  const differences: string[] = [];
  // The most specific expectation first: a page request with a continuation token before the
  // first-page request without one.
  const weight = (c: Call) => Object.keys(c.query).length + Object.keys(c.headers).length + (c.body ? 1 : 0);
  for (const call of [...candidates].sort((a, b) => weight(b) - weight(a))) {
    const diff = difference(call, input);
    if (diff) {
      differences.push(diff);
      continue;
    }
    const body = call.expect.body;
    const headers = call.expect.headers ? { headers: call.expect.headers } : {};
    if (!body) return { status: call.expect.status, ...headers };
    const value = body.kind === "binary" ? new Uint8Array(Buffer.from(String(body.value), "base64")) : body.value;
    return { status: call.expect.status, body: value, contentType: body.mediaType, ...headers };
  }
  return new Response(
    JSON.stringify({ detail: "no mock endpoint of this operation expects this request", differences }),
    { status: 400, headers: { "content-type": "application/json" } },
  );
}

function difference(call: Call, input: Input): string | null {
  for (const p of call.pathParams) {
    if (!same(input.path[p.name], p.value))
      return `path ${p.name}: ${show(input.path[p.name])} instead of ${show(p.value)}`;
  }
  for (const [name, value] of Object.entries(call.query)) {
    if (!same(input.query[name], value)) return `query ${name}: ${show(input.query[name])} instead of ${show(value)}`;
  }
  for (const [name, value] of Object.entries(call.headers)) {
    const got = input.headers[name] ?? input.headers[name.toLowerCase()];
    if (!same(got, value)) return `header ${name}: ${show(got)} instead of ${show(value)}`;
  }
  if (call.body) {
    const got = input.body instanceof Uint8Array ? Buffer.from(input.body).toString("base64") : input.body;
    if (!same(got, call.body.value)) return `body: ${show(got)} instead of ${show(call.body.value)}`;
  }
  return null;
}

/** Equal as JSON, with numbers and booleans equal to their text (headers and query are text). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (typeof a !== "object" && typeof b !== "object") return String(a) === String(b);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  if (typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const ka = Object.keys(a as object).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
    const kb = Object.keys(b as object);
    return (
      ka.length === kb.length &&
      kb.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return false;
}

function show(v: unknown): string {
  return (JSON.stringify(v) ?? String(v)).slice(0, 200);
}

/** Runs `tsp-spector knock` against the app; returns knock's verdict per scenario name. */
export async function knock(baseUrl: string): Promise<Map<string, { pass: boolean; message?: string }>> {
  const child = spawn(join(packageRoot, "node_modules/.bin/tsp-spector"), ["knock", specsRoot, "--baseUrl", baseUrl], {
    cwd: packageRoot,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0" },
  });
  let out = "";
  child.stdout.on("data", (d) => (out += String(d)));
  child.stderr.on("data", (d) => (out += String(d)));
  await new Promise((resolve) => child.once("exit", resolve));
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colours.
  const text = out.replace(/\x1b\[[0-9;]*m/g, "");
  const verdicts = new Map<string, { pass: boolean; message?: string }>();
  const blocks = text.split(/\n(?=[✘✓] Scenario: )/);
  for (const block of blocks) {
    const m = /^([✘✓]) Scenario: (\S+)/.exec(block);
    if (!m) continue;
    const name = m[2] as string;
    const failed = m[1] === "✘";
    const before = verdicts.get(name);
    // A scenario with several endpoints passes only when none of them failed.
    if (failed || !before)
      verdicts.set(
        name,
        failed ? { pass: false, message: block.split("\n").slice(1, 6).join(" ").slice(0, 400) } : { pass: true },
      );
  }
  return verdicts;
}
