// Issue 9: an SSE subscriber that stops reading is cut off by the real server with the
// contract's `error` event (SLOW_CONSUMER); the SDK's stream resumes from its last event id by
// itself, and the caller gets every event exactly once, in order.
import { afterAll, beforeAll, expect, it } from "vitest";
import { TKA } from "../src/index.ts";
import { type RunningServer, startServer } from "./server.ts";

const KEY = "slow-consumer-key-0123456789";
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ API_KEYS: `p=${KEY}`, RATE_LIMIT: "1000000/1000000", EVENT_SEND_BUFFER: "65536" });
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

/** A change event's position (an event of a type this SDK does not know has none: NaN). */
const positionOf = (event: unknown): number => {
  const position = (event as { position?: unknown }).position;
  return typeof position === "number" ? position : Number.NaN;
};

async function slowConsumers(): Promise<number> {
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  return Number(/tka_event_slow_consumers_total\{transport="sse"\} (\d+)/.exec(metrics)?.[1] ?? 0);
}

it("resumes a stream the server cut off as a slow consumer, missing nothing", async () => {
  const reasons: string[] = [];
  const client = new TKA({
    baseURL: server.url,
    apiKey: KEY,
    maxRetries: 0,
    logger: {
      info: (_message: string, fields?: unknown) => reasons.push(String((fields as { reason?: unknown })?.reason)),
    },
  });
  const events = client.events.stream()[Symbol.asyncIterator]();
  // The first event opens the stream; then the caller stops reading while large events pile up.
  const first = events.next();
  const sequence = await client.sequences.create({ name: "big" });
  expect(positionOf((await first).value)).toBe(1);
  const padding = "x".repeat(20_000);
  let written = 1;
  while ((await slowConsumers()) === 0 && written < 3_000) {
    await client.sequences.update(sequence.id, { metadata: { padding, n: written } });
    written++;
  }
  expect(await slowConsumers()).toBe(1);
  const positions = [1];
  while (positions.length < written) {
    const next = await events.next();
    positions.push(positionOf(next.value));
  }
  await events.return?.(undefined);
  expect(positions).toEqual(Array.from({ length: written }, (_, i) => i + 1));
  expect(reasons.some((r) => r.includes("SLOW_CONSUMER"))).toBe(true);
}, 180_000);
