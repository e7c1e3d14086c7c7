// Event subscribers for tests and benchmarks, over real connections: an SSE stream read with
// fetch and a WebSocket, each recording what it receives (id, position, arrival time).
import { WebSocket } from "ws";

export interface Received {
  id: string;
  position: number;
  sequenceId: string;
  /** performance.timeOrigin + now() at arrival, in ms. */
  at: number;
}

export interface Subscriber {
  kind: "sse" | "ws";
  events: Received[];
  /** Resolves once the subscription is live (WebSocket `subscribed`, SSE `: connected`). */
  ready: Promise<void>;
  /** Resolves with the close code (WebSocket) or "ended"/"error" (SSE) once the stream ends. */
  ended: Promise<number | string>;
  /** The SSE error event or WebSocket error message, if one came. */
  errors: Record<string, unknown>[];
  /** Resolves once `n` events have arrived (or the stream ended). */
  until(n: number): Promise<void>;
  close(): void;
  /** The WebSocket itself (for tests that stop reading). */
  ws?: WebSocket;
}

const now = () => performance.timeOrigin + performance.now();

function recorder() {
  const events: Received[] = [];
  const waiters: (() => void)[] = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  let done = false;
  return {
    events,
    add(event: { id: string; position: number; sequence_id: string }) {
      events.push({ id: event.id, position: event.position, sequenceId: event.sequence_id, at: now() });
      wake();
    },
    end() {
      done = true;
      wake();
    },
    async until(n: number) {
      while (events.length < n && !done) await new Promise<void>((resolve) => waiters.push(resolve));
    },
  };
}

export function wsSubscriber(
  wsUrl: string,
  key: string,
  subscribe: Record<string, unknown> = {},
  options: { onEvent?: (raw: string) => void } = {},
): Subscriber {
  const ws = new WebSocket(wsUrl, { headers: { "X-API-Key": key } });
  const r = recorder();
  const errors: Record<string, unknown>[] = [];
  let ready: () => void = () => {};
  const readyP = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const ended = new Promise<number>((resolve) => {
    ws.on("close", (code) => {
      r.end();
      resolve(code);
    });
  });
  ws.on("error", () => {});
  ws.on("message", (data) => {
    const text = data.toString();
    const m = JSON.parse(text) as { type: string; event?: { id: string; position: number; sequence_id: string } };
    if (m.type === "welcome") ws.send(JSON.stringify({ type: "subscribe", ...subscribe }));
    else if (m.type === "subscribed") ready();
    else if (m.type === "event" && m.event) {
      r.add(m.event);
      options.onEvent?.(text);
    } else if (m.type === "error") errors.push(m);
  });
  return {
    kind: "ws",
    events: r.events,
    ready: readyP,
    ended,
    errors,
    until: r.until,
    close: () => ws.terminate(),
    ws,
  };
}

export function sseSubscriber(baseUrl: string, key: string, lastEventId?: string): Subscriber {
  const controller = new AbortController();
  const r = recorder();
  const errors: Record<string, unknown>[] = [];
  let ready: () => void = () => {};
  const readyP = new Promise<void>((resolve) => {
    ready = resolve;
  });
  const ended = (async (): Promise<string> => {
    try {
      const response = await fetch(`${baseUrl}/api/v1/events`, {
        headers: { "X-API-Key": key, ...(lastEventId ? { "Last-Event-ID": lastEventId } : {}) },
        signal: controller.signal,
      });
      if (response.status !== 200 || !response.body) return `status ${response.status}`;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return "ended";
        buffer += value;
        let end = buffer.indexOf("\n\n");
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf("\n\n");
          if (block.startsWith(": connected")) ready();
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event === undefined || data === undefined) continue;
          const parsed = JSON.parse(data) as { id: string; position: number; sequence_id: string };
          if (event === "error") errors.push(parsed as unknown as Record<string, unknown>);
          else r.add(parsed);
        }
      }
    } catch {
      return "error";
    } finally {
      r.end();
      ready();
    }
  })();
  return {
    kind: "sse",
    events: r.events,
    ready: readyP,
    ended,
    errors,
    until: r.until,
    close: () => controller.abort(),
  };
}

/** What a subscriber got against what the log holds: lost, duplicated and out-of-order counts. */
export function compareWithLog(got: readonly Received[], log: readonly { id: string; position: number }[]) {
  const expected = new Map(log.map((e) => [e.position, e.id]));
  const seen = new Set<number>();
  let duplicated = 0;
  let outOfOrder = 0;
  let wrongId = 0;
  let previous = 0;
  for (const e of got) {
    if (seen.has(e.position)) duplicated++;
    seen.add(e.position);
    if (e.position <= previous) outOfOrder++;
    previous = Math.max(previous, e.position);
    if (expected.get(e.position) !== e.id) wrongId++;
  }
  const lost = log.filter((e) => !seen.has(e.position)).length;
  return { lost, duplicated, outOfOrder, wrongId };
}
