// Load process of bench/fanout.ts: durable mutations at a fixed rate (open loop: the schedule
// does not wait for answers), spread over several sequences and, with several servers, over
// every server in turn. Each mutation puts its send time and index in the sequence's metadata
// (`t`, `k`; k < 0 during the warm-up) so subscribers can time the delivery.
//
// argv[2]: JSON { urls, key, sequences, rate, seconds, warmupSeconds }. Prints
// {"stats": {...}} with the acknowledgement latencies and each measured mutation's ack time.
import http from "node:http";

interface Options {
  urls: string[];
  key: string;
  sequences: string[];
  rate: number;
  seconds: number;
  warmupSeconds: number;
}

const options = JSON.parse(process.argv[2] ?? "{}") as Options;
const now = () => performance.timeOrigin + performance.now();
const agents = options.urls.map(() => new http.Agent({ keepAlive: true, maxSockets: 128 }));

function patch(i: number, k: number): Promise<number> {
  const server = i % options.urls.length;
  const url = new URL(options.urls[server] as string);
  const id = options.sequences[i % options.sequences.length] as string;
  const sent = now();
  const body = JSON.stringify({ metadata: { t: sent, k } });
  return new Promise((resolve) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: "PATCH",
        path: `/api/v1/sequences/${id}`,
        agent: agents[server],
        headers: {
          "X-API-Key": options.key,
          "Content-Type": "application/merge-patch+json",
          "Content-Length": Buffer.byteLength(body),
        },
      },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode === 200 ? now() - sent : -1));
      },
    );
    request.on("error", () => resolve(-1));
    request.end(body);
  });
}

const warmup = Math.round(options.rate * options.warmupSeconds);
const measured = Math.round(options.rate * options.seconds);
const latencies: number[] = [];
const ackAt: Record<number, number> = {};
const sentAt: Record<number, number> = {};
let errors = 0;
let lateStarts = 0;
const pending: Promise<void>[] = [];
const start = now();
for (let i = 0; i < warmup + measured; i++) {
  const due = start + (i * 1000) / options.rate;
  const wait = due - now();
  if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
  else if (wait < -5) lateStarts++;
  const k = i < warmup ? -1 : i - warmup;
  if (k >= 0) sentAt[k] = now();
  pending.push(
    patch(i, k).then((ms) => {
      if (ms < 0) errors++;
      else if (k >= 0) {
        latencies.push(ms);
        ackAt[k] = now();
      }
    }),
  );
}
await Promise.all(pending);
const elapsed = (now() - start) / 1000;
latencies.sort((a, b) => a - b);
const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? Number.NaN;
process.stdout.write(
  `${JSON.stringify({
    stats: {
      mutations: warmup + measured,
      measured: latencies.length,
      errors,
      lateStarts,
      achieved_per_s: (warmup + measured) / elapsed,
      ack_p50_ms: at(0.5),
      ack_p99_ms: at(0.99),
      ackAt,
      sentAt,
    },
  })}\n`,
);
process.exit(0);
