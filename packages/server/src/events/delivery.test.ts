import { describe, expect, it } from "vitest";
import type { StoredEvent } from "../store/types.ts";
import { Delivery } from "./delivery.ts";

const event = (padding: string): StoredEvent => ({
  id: "evt_0000000000000007",
  project_id: "p",
  position: 7,
  sequence_id: "seq_1",
  sequence_version: 3,
  type: "sequence.updated",
  occurred_at: "2031-01-01T00:00:00.000Z",
  data: { padding },
});

/** Reads a server frame back: FIN + opcode, length, payload. */
function parseFrame(frame: Buffer) {
  let length = (frame[1] as number) & 0x7f;
  let offset = 2;
  if (length === 126) {
    length = frame.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    length = Number(frame.readBigUInt64BE(2));
    offset = 10;
  }
  return { first: frame[0], masked: ((frame[1] as number) & 0x80) !== 0, length, payload: frame.subarray(offset) };
}

describe("Delivery", () => {
  it.each([10, 500, 70_000])("frames a %i-character event as one unmasked text frame", (size) => {
    const d = new Delivery(event("x".repeat(size)));
    const frame = parseFrame(d.wsFrame);
    expect(frame).toMatchObject({ first: 0x81, masked: false, length: d.wsMessage.length });
    expect(frame.payload.equals(d.wsMessage)).toBe(true);
    expect(JSON.parse(d.wsMessage.toString())).toEqual({
      type: "event",
      event: {
        type: "sequence.updated",
        id: "evt_0000000000000007",
        position: 7,
        sequence_id: "seq_1",
        sequence_version: 3,
        occurred_at: "2031-01-01T00:00:00.000Z",
        data: { padding: "x".repeat(size) },
      },
    });
  });

  it("builds each form once", () => {
    const d = new Delivery(event("a\nb"));
    expect(d.wsFrame).toBe(d.wsFrame);
    expect(d.sseMessage).toBe(d.sseMessage);
    // A newline inside the data stays escaped: the SSE message has exactly one data line.
    expect(
      d.sseMessage
        .toString()
        .split("\n")
        .filter((l) => l.startsWith("data: ")),
    ).toHaveLength(1);
  });
});
