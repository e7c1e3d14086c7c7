import { describe, expect, it } from "vitest";
import { type ServerSentEvent, SSEParser } from "../runtime/src/index.ts";

const enc = new TextEncoder();

/** Feeds `chunks` and returns every message, then `end()`. */
function parseChunks(chunks: Array<string | Uint8Array>): ServerSentEvent[] {
  const parser = new SSEParser();
  const out: ServerSentEvent[] = [];
  for (const c of chunks) out.push(...parser.feed(typeof c === "string" ? enc.encode(c) : c));
  out.push(...parser.end());
  return out;
}

/** Splits bytes at every possible position into single bytes. */
function bytewise(text: string): Uint8Array[] {
  return Array.from(enc.encode(text), (b) => Uint8Array.of(b));
}

describe("SSEParser (WHATWG)", () => {
  it("parses event, multi-line data, id; default type is message", () => {
    const msgs = parseChunks(['event: beat.added\ndata: {"a":\ndata: 1}\nid: 7\n\ndata: plain\n\n']);
    expect(msgs).toEqual([
      { event: "beat.added", data: '{"a":\n1}', id: "7", lastEventId: "7" },
      { event: "message", data: "plain", id: undefined, lastEventId: "7" },
    ]);
  });

  it("handles LF, CR and CRLF line endings, even split between chunks", () => {
    const text = "data: a\r\n\r\ndata: b\r\rdata: c\n\ndata: d\r\n\r\n";
    const expected = ["a", "b", "c", "d"];
    expect(parseChunks([text]).map((m) => m.data)).toEqual(expected);
    expect(parseChunks(bytewise(text)).map((m) => m.data)).toEqual(expected);
    // CR at the end of one chunk, LF at the start of the next: one line break, not two.
    expect(parseChunks(["data: x\r", "\ndata: y\r", "\n\r", "\n"]).map((m) => m.data)).toEqual(["x\ny"]);
  });

  it("skips comments, a leading BOM, unknown fields, and a field without a colon", () => {
    const msgs = parseChunks(["\uFEFF: keep-alive\n:another\nfoo: bar\ndata\ndata:x\n\n"]);
    expect(msgs).toEqual([{ event: "message", data: "\nx", id: undefined, lastEventId: "" }]);
    // Only one BOM is stripped; the BOM bytes may arrive split.
    const bom = enc.encode("\uFEFFdata: z\n\n");
    expect(parseChunks([bom.slice(0, 1), bom.slice(1, 2), bom.slice(2)]).map((m) => m.data)).toEqual(["z"]);
  });

  it("strips exactly one leading space from values", () => {
    expect(parseChunks(["data:  two spaces\ndata:none\n\n"])[0]?.data).toBe(" two spaces\nnone");
  });

  it("decodes multi-byte UTF-8 split anywhere", () => {
    const text = 'event: ünïcode\ndata: {"name":"Añyé 🌀 ✓"}\nid: é1\n\n';
    const msgs = parseChunks(bytewise(text));
    expect(msgs).toEqual([{ event: "ünïcode", data: '{"name":"Añyé 🌀 ✓"}', id: "é1", lastEventId: "é1" }]);
  });

  it("does not dispatch empty data; an id-only block still updates lastEventId", () => {
    const parser = new SSEParser();
    expect(parser.feed("id: 5\n\nevent: x\n\n")).toEqual([]);
    expect(parser.lastEventId).toBe("5");
    expect(parser.feed("data:\n\n")).toEqual([{ event: "message", data: "", id: undefined, lastEventId: "5" }]);
  });

  it("ignores ids containing NUL; an empty id resets lastEventId", () => {
    const parser = new SSEParser("start");
    expect(parser.feed("id: a\0b\ndata: 1\n\n")[0]?.lastEventId).toBe("start");
    expect(parser.feed("id\ndata: 2\n\n")[0]).toEqual({ event: "message", data: "2", id: undefined, lastEventId: "" });
  });

  it("commits an id only when its block completes (an incomplete message never moves the resume point)", () => {
    const parser = new SSEParser();
    parser.feed("id: 1\ndata: a\n\nid: 2\ndata: {");
    expect(parser.lastEventId).toBe("1");
    parser.feed("}\n\n");
    expect(parser.lastEventId).toBe("2");
  });

  it("accepts only all-digit retry values", () => {
    const parser = new SSEParser();
    parser.feed("retry: 2500\n\n");
    expect(parser.retry).toBe(2500);
    parser.feed("retry: 10s\nretry: -1\nretry:\n\n");
    expect(parser.retry).toBe(2500);
  });

  it("discards an unterminated final message and resets event type between messages", () => {
    expect(parseChunks(["event: a\ndata: 1\n\ndata: 2\n\ndata: partial"]).map((m) => [m.event, m.data])).toEqual([
      ["a", "1"],
      ["message", "2"],
    ]);
  });

  it("gives the same result for every split point of a mixed stream", () => {
    const text = "\uFEFF: hi\r\nevent: e\r\ndata: 1🌀\rid: 9\r\n\r\nretry: 10\ndata: 2\n\n";
    const whole = parseChunks([text]);
    const bytes = enc.encode(text);
    for (let i = 0; i <= bytes.length; i++) {
      expect(parseChunks([bytes.slice(0, i), bytes.slice(i)])).toEqual(whole);
    }
    expect(whole.map((m) => m.data)).toEqual(["1🌀", "2"]);
  });
});
