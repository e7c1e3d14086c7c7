// Load process of bench/fanout.ts: holds `count` live subscribers (WebSocket or SSE) on one or
// more servers and measures what they receive. Every message is checked by position (lost,
// duplicated, out of order, per connection) and timed against the writer's send time, which
// the writer puts in the sequence's metadata (`t`, with the mutation's index `k`). A subscriber
// closed as a slow consumer reconnects and resumes from its last event id, as a client would.
//
// argv[2]: JSON { urls, key, kind: "ws" | "sse", count }. Prints {"ready":n} once every
// connection is live; then reads "finish <first position> <last position> <timeout ms>" on
// stdin, waits until every connection has the last position (or the timeout), prints
// {"stats":...} (lost counts every position of the range a connection never got); then reads
// "commits {k: Unix ms}" (when the server acknowledged each mutation's commit), prints
// {"commit_to_delivery": histogram} and exits. The Go one (fanout-load/) does the same for less CPU.
import http from "node:http";
import { createInterface } from "node:readline";
import { WebSocket } from "ws";

interface Options {
  urls: string[];
  key: string;
  kind: "ws" | "sse";
  count: number;
}

const options = JSON.parse(process.argv[2] ?? "{}") as Options;
const now = () => performance.timeOrigin + performance.now();

/** Latency histogram: 0.1 ms buckets up to 200 s. */
const BUCKET_MS = 0.1;
const histogram = new Uint32Array(2_000_000);
let samples = 0;
/** Per mutation index `k`: the last arrival over this process's connections. */
const lastArrival = new Map<number, number>();
/** Per mutation index `k`: the position of its event (to join with the server's fan-out reports). */
const positionOfK = new Map<number, number>();
/** Every timed arrival (mutation index, Unix ms), for commit-to-delivery (the "commits" command). */
const arrivalK: number[] = [];
const arrivalAt: number[] = [];

/** The number right after `key` in a message (bytes or text), without parsing the JSON. */
function numberAfter(message: Buffer | string, key: string, from = 0): number {
  const at = message.indexOf(key, from);
  if (at < 0) return Number.NaN;
  const start = at + key.length;
  let end = start;
  if (typeof message === "string") {
    while (end < message.length && "0123456789.-e".includes(message[end] as string)) end++;
    return Number(message.slice(start, end));
  }
  while (end < message.length) {
    const c = message[end] as number;
    if (!((c >= 48 && c <= 57) || c === 46 || c === 45 || c === 101)) break;
    end++;
  }
  return Number(message.toString("latin1", start, end));
}

const EVENT_PREFIX = Buffer.from('{"type":"event"');

class Connection {
  last = 0;
  first = 0;
  received = 0;
  lost = 0;
  duplicated = 0;
  outOfOrder = 0;
  reconnects = 0;
  lastId: string | null = null;
  live = false;
  onLive: (() => void) | undefined;
  waiter: { position: number; resolve: () => void } | undefined;

  /** One event message (WebSocket `event` message or SSE data line). */
  take(text: Buffer | string): void {
    const arrival = now();
    const position = numberAfter(text, '"position":');
    const idAt = text.indexOf('"id":"evt_');
    if (idAt >= 0) {
      this.lastId =
        typeof text === "string" ? text.slice(idAt + 6, idAt + 26) : text.toString("latin1", idAt + 6, idAt + 26);
    }
    if (this.first === 0) this.first = position;
    else if (position === this.last + 1) {
      // in order
    } else if (position <= this.last) {
      this.duplicated++;
      return;
    } else {
      this.lost += position - this.last - 1;
      this.outOfOrder++;
    }
    this.last = position;
    this.received++;
    const t = numberAfter(text, '"t":');
    const k = numberAfter(text, '"k":');
    // Warm-up mutations have k < 0: checked, not timed.
    if (!Number.isNaN(t) && k >= 0) {
      const ms = arrival - t;
      const bucket = Math.min(histogram.length - 1, Math.max(0, Math.round(ms / BUCKET_MS)));
      histogram[bucket] = (histogram[bucket] as number) + 1;
      samples++;
      if ((lastArrival.get(k) ?? 0) < arrival) lastArrival.set(k, arrival);
      positionOfK.set(k, position);
      arrivalK.push(k);
      arrivalAt.push(arrival);
    }
    if (this.waiter && this.last >= this.waiter.position) this.waiter.resolve();
  }

  until(position: number): Promise<void> {
    if (this.last >= position) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiter = { position, resolve };
    });
  }
}

function openWs(url: string, c: Connection): void {
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}/api/v1/ws`, { headers: { "X-API-Key": options.key } });
  ws.on("error", () => {});
  ws.on("message", (data: Buffer) => {
    if (
      data.length > EVENT_PREFIX.length &&
      data.compare(EVENT_PREFIX, 0, EVENT_PREFIX.length, 0, EVENT_PREFIX.length) === 0
    ) {
      c.take(data);
      return;
    }
    const text = data.toString();
    if (text.startsWith('{"type":"welcome"')) {
      ws.send(JSON.stringify({ type: "subscribe", ...(c.lastId ? { last_event_id: c.lastId } : {}) }));
    } else if (text.startsWith('{"type":"subscribed"')) {
      c.live = true;
      c.onLive?.();
    }
  });
  ws.on("close", (code) => {
    if (code === 4009 || code === 1006 || code === 1011) {
      c.reconnects++;
      setTimeout(() => openWs(url, c), 50);
    }
  });
}

function openSse(url: string, c: Connection): void {
  const target = new URL(`${url}/api/v1/events`);
  const request = http.get(
    {
      host: target.hostname,
      port: target.port,
      path: target.pathname,
      headers: { "X-API-Key": options.key, ...(c.lastId ? { "Last-Event-ID": c.lastId } : {}) },
    },
    (response) => {
      response.setEncoding("utf8");
      let buffer = "";
      response.on("data", (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf("\n\n");
          if (block.startsWith(": connected")) {
            c.live = true;
            c.onLive?.();
          } else if (block.startsWith("event: error")) {
            // slow consumer: the stream ends; reconnect below
          } else if (block.startsWith("event: ")) c.take(block);
        }
      });
      response.on("end", () => {
        c.reconnects++;
        setTimeout(() => openSse(url, c), 50);
      });
    },
  );
  request.on("error", () => {
    c.reconnects++;
    setTimeout(() => openSse(url, c), 200);
  });
}

const connections: Connection[] = [];
const opening: Promise<void>[] = [];
for (let i = 0; i < options.count; i++) {
  const c = new Connection();
  connections.push(c);
  const url = options.urls[i % options.urls.length] as string;
  opening.push(
    new Promise<void>((resolve) => {
      c.onLive = () => {
        c.onLive = undefined;
        resolve();
      };
    }),
  );
  if (options.kind === "ws") openWs(url, c);
  else openSse(url, c);
  // Connect in waves, not all at once (the listen backlog is finite).
  if (i % 200 === 199) await new Promise((resolve) => setTimeout(resolve, 20));
}
await Promise.all(opening);
process.stdout.write(`${JSON.stringify({ ready: connections.length })}\n`);

function percentile(p: number): number {
  let target = Math.ceil(samples * p);
  for (let i = 0; i < histogram.length; i++) {
    target -= histogram[i] as number;
    if (target <= 0) return i * BUCKET_MS;
  }
  return Number.NaN;
}

for await (const line of createInterface({ input: process.stdin })) {
  const [command, fromText, positionText, timeoutText] = line.split(" ");
  if (command === "commits") {
    // {k: Unix ms the server acknowledged mutation k's commit}: every arrival minus its commit,
    // as a histogram of 0.1 ms buckets {bucket: count} (merged by the caller).
    const commits = JSON.parse(line.slice("commits ".length)) as Record<string, number>;
    const buckets: Record<number, number> = {};
    for (let i = 0; i < arrivalK.length; i++) {
      const at = commits[arrivalK[i] as number];
      if (at === undefined) continue;
      const bucket = Math.round(((arrivalAt[i] as number) - at) / BUCKET_MS);
      buckets[bucket] = (buckets[bucket] ?? 0) + 1;
    }
    process.stdout.write(`${JSON.stringify({ commit_to_delivery: buckets })}\n`);
    process.exit(0);
  }
  if (command !== "finish") continue;
  const from = Number(fromText);
  const position = Number(positionText);
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, Number(timeoutText)));
  await Promise.race([Promise.all(connections.map((c) => c.until(position))), timeout]);
  let lost = 0;
  let undelivered = 0;
  let duplicated = 0;
  let outOfOrder = 0;
  let reconnects = 0;
  let incomplete = 0;
  let received = 0;
  for (const c of connections) {
    received += c.received;
    // Lost: skipped positions (at the start or in between). Undelivered: the tail not there yet
    // when the run stopped waiting (a backlog, not a loss: nothing after it arrived either).
    if (c.first === 0) undelivered += position - from + 1;
    else {
      lost += Math.max(0, c.first - from) + c.lost;
      undelivered += Math.max(0, position - c.last);
    }
    duplicated += c.duplicated;
    outOfOrder += c.outOfOrder;
    reconnects += c.reconnects;
    if (c.last < position) incomplete++;
  }
  process.stdout.write(
    `${JSON.stringify({
      stats: {
        connections: connections.length,
        deliveries: samples,
        received,
        p50_ms: percentile(0.5),
        p99_ms: percentile(0.99),
        max_ms: percentile(1),
        lost,
        undelivered,
        duplicated,
        outOfOrder,
        reconnects,
        incomplete,
        lastArrival: Object.fromEntries(lastArrival),
        positions: Object.fromEntries(positionOfK),
        cpu_ms: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
      },
    })}\n`,
  );
}
