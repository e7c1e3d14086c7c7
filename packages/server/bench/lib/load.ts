// A small closed-loop HTTP load generator for the benchmarks: N concurrent keep-alive clients
// send requests for a fixed time; it reports throughput and latency percentiles.
import http from "node:http";

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  errors: number;
}

export interface LoadRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export async function load(
  base: string,
  options: { concurrency: number; seconds: number; request: (client: number, i: number) => LoadRequest },
): Promise<LoadResult> {
  const url = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + options.seconds * 1000;
  const started = performance.now();
  const one = (req: LoadRequest) =>
    new Promise<number>((resolve) => {
      const t0 = performance.now();
      // A body goes with its Content-Length, as fetch and the SDKs send it (not chunked).
      const headers =
        req.body === undefined
          ? req.headers
          : { ...req.headers, "Content-Length": String(Buffer.byteLength(req.body)) };
      const r = http.request(
        { host: url.hostname, port: url.port, method: req.method, path: req.path, headers, agent },
        (res) => {
          res.resume();
          res.on("end", () => resolve((res.statusCode ?? 500) < 400 ? performance.now() - t0 : -1));
        },
      );
      r.on("error", () => resolve(-1));
      if (req.body !== undefined) r.write(req.body);
      r.end();
    });
  await Promise.all(
    Array.from({ length: options.concurrency }, async (_, client) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const ms = await one(options.request(client, i));
        if (ms < 0) errors++;
        else latencies.push(ms);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return {
    requests: latencies.length,
    seconds,
    rps: latencies.length / seconds,
    p50_ms: at(0.5),
    p99_ms: at(0.99),
    errors,
  };
}
