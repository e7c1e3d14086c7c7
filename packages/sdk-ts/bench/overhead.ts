// TypeScript SDK per-call overhead against raw fetch on a local server, measured in one run
// (goal: ratio <= 1.10), and the bundled size of one operation, tree-shaken.
// Not a timed test: it prints and records figures. Run: `pnpm bench` in packages/sdk-ts.
import { writeFileSync } from "node:fs";
import http from "node:http";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { TKA } from "../src/index.ts";

const body = JSON.stringify({ status: "ok" });
const server = http.createServer((_req, res) => {
  res.writeHead(200, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(body),
    "X-Request-Id": "req_1",
  });
  res.end(body);
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const address = server.address();
const base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;

const client = new TKA({ baseURL: base, apiKey: "k", maxRetries: 0 });
const N = 2000;
async function timeIt(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await fn();
  return (performance.now() - t0) / N;
}
const sdkCall = () => client.health.getLiveness();
const rawCall = () =>
  fetch(`${base}/api/v1/health/live`, { headers: { Accept: "application/json", "X-API-Key": "k" } }).then((r) =>
    r.json(),
  );
await timeIt(sdkCall); // warm-up both paths
await timeIt(rawCall);
// Rounds alternate which side goes first (SDK-fetch, fetch-SDK, ...), so a drift during a round
// (GC debt, CPU frequency, a noisy neighbour) does not always land on the same side.
const ROUNDS = 9;
const rounds: { sdk_us: number; fetch_us: number }[] = [];
for (let round = 0; round < ROUNDS; round++) {
  let sdk: number;
  let raw: number;
  if (round % 2 === 0) {
    sdk = await timeIt(sdkCall);
    raw = await timeIt(rawCall);
  } else {
    raw = await timeIt(rawCall);
    sdk = await timeIt(sdkCall);
  }
  rounds.push({ sdk_us: Math.round(sdk * 1000), fetch_us: Math.round(raw * 1000) });
}
server.close();
const ratios = rounds.map((r) => r.sdk_us / r.fetch_us).sort((a, b) => a - b);

// Bundle of one operation, minified and tree-shaken, for browsers.
const bundle = await build({
  stdin: {
    contents:
      'import { TKA } from "./src/index.ts"; new TKA({ apiKey: "k" }).sequences.get("seq_1").then(console.log);',
    resolveDir: join(import.meta.dirname, ".."),
    loader: "ts",
  },
  bundle: true,
  minify: true,
  format: "esm",
  platform: "browser",
  write: false,
  treeShaking: true,
});
const code = bundle.outputFiles[0]?.contents ?? new Uint8Array();

const result = {
  benchmark: "TypeScript SDK call vs raw fetch (same local server, same run), and one-operation bundle",
  date: new Date().toISOString(),
  calls_per_round: N,
  rounds,
  median_ratio_sdk_over_fetch: Number((ratios[Math.floor(ROUNDS / 2)] as number).toFixed(3)),
  goal: "<= 1.10",
  bundle_one_operation: { minified_bytes: code.length, gzip_bytes: gzipSync(code).length },
};
writeFileSync(join(import.meta.dirname, "results", "overhead.json"), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
