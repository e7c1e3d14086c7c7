// The python target's streaming methods: the decoder of a Server-Sent Events stream's messages
// and the method of a WebSocket channel (its client and protocol constants).
import type { Operation, TypeRef, WebSocketChannel } from "../../ir/types.ts";
import { snakeCase, upperSnakeCase } from "../../naming/index.ts";
import { taggedUnionFor, webSocketConventions } from "../sdk-common.ts";
import { castExpr } from "./examples.ts";
import { type PyTypes, pyString } from "./types.ts";
import { type PyItem, type PyMethod, pname, pyItem } from "./views.ts";

/** The client's flag that makes event decoding strict (else lenient, as for answers). */
const STRICT = "self._client.strict_response_validation";

/**
 * The module-level decoder of a stream's messages, the type it yields and the `decode=` value:
 * the raw data, or a factory taking the client's strictness (events decode as answers do).
 */
export function streamDecoder(
  types: PyTypes,
  events: Array<{ event: string | null; type: TypeRef; contentMediaType: string | null }>,
  q: (name: string) => string,
  runtime: Set<string>,
  method: string,
): [string, { name: string; item: PyItem; value: string }] {
  const name = `_decode_${method}`;
  const jsonTyped = (e: (typeof events)[number]) =>
    !(e.contentMediaType === null && e.type.kind === "primitive" && e.type.type === "string");
  const union = taggedUnionFor(types.ir, events);
  const decoder = (ref: TypeRef) => `message_decoder(${castExpr(types, ref, q)}, strict=strict)`;
  runtime.add("ServerSentEvent");
  if (events.length === 0 || events.every((e) => !jsonTyped(e))) {
    // Untyped (or plain-text) events: the raw `data` of each message.
    return ["str", { name, item: pyItem({ rawDecoder: { name } }), value: name }];
  }
  runtime.add("message_decoder");
  types.typing.add("Callable");
  const value = `${name}(${STRICT})`;
  const distinct = [...new Set(events.map((e) => JSON.stringify(e.type)))];
  if (events.every(jsonTyped) && (union !== null || distinct.length === 1)) {
    const ref = union ?? (events[0]?.type as TypeRef);
    runtime.add("json_decoder");
    const t = types.type(ref, q);
    return [t, { name, item: pyItem({ jsonDecoder: { name, type: t, decoder: decoder(ref) } }), value }];
  }
  // Named events (of different types, or mixing JSON and text): chosen by the SSE event name;
  // names this SDK version does not know are skipped.
  runtime.add("event_decoder");
  const variants = [...new Set(events.map((e) => (jsonTyped(e) ? types.type(e.type, q) : "str")))];
  const t = variants.join(" | ");
  const arms = events.map((e) => ({
    event: pyString(e.event ?? "message"),
    decoder: jsonTyped(e) ? decoder(e.type) : "None",
  }));
  return [t, { name, item: pyItem({ namedDecoder: { name, type: t, arms } }), value }];
}

/**
 * A WebSocket channel with `x-websocket.protocol` conventions: an async-only method returning the
 * runtime's reconnecting client. Without the conventions the channel is not generated.
 */
export function websocketMethod(
  types: PyTypes,
  op: Operation,
  channel: WebSocketChannel,
  q: (name: string) => string,
  runtime: Set<string>,
  property: string,
  asyncClient: string,
): PyMethod | null {
  const conventions = webSocketConventions(channel);
  const welcome = conventions?.welcome;
  const lastEventIdField = conventions?.lastEventIdField;
  if (!conventions || welcome === undefined || lastEventIdField === undefined) return null;
  const name = op.names?.python?.method ?? snakeCase(op.id);
  runtime.add("AsyncWebSocketClient").add("SyncWebSocketClient").add("WebSocketProtocol").add("message_decoder");
  types.typing.add("Any").add("Mapping");
  const { typeField, event: eventType } = conventions;
  const pointer = conventions.eventIdPointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  const codes = conventions.finalCloseCodes ?? [];
  const constant = `_${upperSnakeCase(name)}_PROTOCOL`;
  const idFn = `_${name}_event_id`;
  const opt = (v: string | undefined) => (v === undefined ? "None" : pyString(v));
  const items = [
    pyItem({
      webSocket: {
        idFn,
        constant,
        typeField: pyString(typeField),
        eventType: eventType === undefined ? false : pyString(eventType),
        pointer: pointer.map(pyString),
        oneKey: pointer.length === 1,
        welcome: pyString(welcome),
        heartbeat: opt(conventions.heartbeat),
        subscribe: opt(conventions.subscribe),
        lastEventIdField: pyString(lastEventIdField),
        finalCloseCodes: codes.join(", "),
        heartbeatIntervalField: opt(conventions.heartbeatIntervalField),
      },
    }),
  ];
  const server = types.type(channel.serverMessage, q);
  const query = op.parameters.filter((x) => x.in === "query" && types.scalar(x.type));
  const params =
    query.length > 0 ? ["*", ...query.map((x) => `${pname(x)}: ${types.type(x.type, q)} | None = None`)] : [];
  const decode = `message_decoder(${castExpr(types, channel.serverMessage, q)}, strict=${STRICT})`;
  const doc = [
    op.summary,
    op.description,
    `\`${op.method.toUpperCase()} ${op.path}\` (WebSocket). Returns a reconnecting client: \`with\` it, \`ws.send(message)\`, \`for message in ws\` (async client: \`async with\`, \`await ws.send(...)\`, \`async for\`). After a reconnect it re-sends the last subscribe message with the last event id, so no event is lost or repeated.`,
  ]
    .filter(Boolean)
    .join("\n\n");
  return {
    name,
    kind: "websocket",
    positional: [],
    keyword: params.filter((x) => x !== "*"),
    overload: false,
    call: "",
    request: false,
    options: false,
    websocket: {
      path: pyString(channel.path),
      query: query.length > 0 ? query.map((x) => ({ key: pyString(x.name), value: pname(x) })) : false,
      protocol: constant,
      decode,
    },
    returns: [`SyncWebSocketClient[${server}]`, `AsyncWebSocketClient[${server}]`],
    doc,
    items,
    example: `async def watch() -> None:\n    async with ${asyncClient}() as client:\n        ws = client.${property}.${name}()\n        async with ws:\n            async for message in ws:\n                print(message)`,
  };
}
