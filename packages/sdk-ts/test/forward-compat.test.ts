// Forward compatibility of the generated types: an event type a newer server adds decodes to the
// union's Unknown arm (typed as such, so an exhaustive switch must handle it), and request
// models keep omit, null and a value apart.
import { describe, expect, it } from "vitest";
import { type ChangeEvent, type SequencePatch, TKA, type UnknownChangeEvent } from "../src/index.ts";

/** What an exhaustive switch over the event stream's union looks like. */
function describeEvent(event: ChangeEvent): string {
  switch (event.type) {
    case "sequence.created":
    case "sequence.updated":
    case "sequence.deleted":
      return `${event.type} ${event.sequence_id}`;
    case "beat.added":
    case "beat.updated":
    case "beat.moved":
    case "beat.removed":
    case "command.undone":
    case "command.redone":
      return `${event.type} v${event.sequence_version}`;
    case "unknown":
      return `unknown ${String(event.raw.type)}`;
  }
}

// Without the Unknown arm the switch is not exhaustive: the compiler says so.
function closedSwitch(event: ChangeEvent): string {
  switch (event.type) {
    case "sequence.created":
    case "sequence.updated":
    case "sequence.deleted":
    case "beat.added":
    case "beat.updated":
    case "beat.moved":
    case "beat.removed":
    case "command.undone":
    case "command.redone":
      return event.type;
    default: {
      // @ts-expect-error `event` is still UnknownChangeEvent here, not never
      const never: never = event;
      return never;
    }
  }
}

function sse(text: string): (input: string, init: RequestInit) => Promise<Response> {
  return async () =>
    new Response(text, { status: 200, headers: { "Content-Type": "text/event-stream; charset=utf-8" } });
}

describe("open unions", () => {
  it("decodes an event type this SDK does not know into the Unknown arm, known ones as they are", async () => {
    const known = {
      type: "sequence.deleted",
      id: "evt_0000000000000001",
      position: 1,
      sequence_id: "seq_1",
      occurred_at: "2026-11-30T00:00:00Z",
      sequence_version: 3,
      data: { name: "Gone" },
    };
    const future = { type: "sequence.archived", id: "evt_0000000000000002", sequence_id: "seq_1", archive: "cold" };
    const client = new TKA({
      baseURL: "http://sdk.test",
      apiKey: "k",
      fetch: sse(
        `id: ${known.id}\nevent: ${known.type}\ndata: ${JSON.stringify(known)}\n\n` +
          `id: ${future.id}\nevent: ${future.type}\ndata: ${JSON.stringify(future)}\n\n`,
      ),
    });
    const stream = client.events.stream();
    const seen: ChangeEvent[] = [];
    for await (const event of stream) {
      seen.push(event);
      if (seen.length === 2) break;
    }
    expect(seen[0]).toEqual(known);
    const unknown = seen[1] as UnknownChangeEvent;
    expect(unknown).toEqual({ type: "unknown", raw: future });
    expect(seen.map(describeEvent)).toEqual(["sequence.deleted seq_1", "unknown sequence.archived"]);
    expect(closedSwitch(seen[0] as ChangeEvent)).toBe("sequence.deleted");
  });
});

describe("omit, null and a value", () => {
  it("are three states the compiler tells apart in request models", () => {
    const rename: SequencePatch = { name: "Flow" };
    const clear: SequencePatch = { start_position: null };
    const nothing: SequencePatch = {};
    // @ts-expect-error `name` cannot be null (the server would refuse it)
    const invalid: SequencePatch = { name: null };
    expect(JSON.stringify(rename)).toBe('{"name":"Flow"}');
    expect(JSON.stringify(clear)).toBe('{"start_position":null}');
    expect(JSON.stringify(nothing)).toBe("{}");
    expect(invalid).toBeDefined();
  });
});
