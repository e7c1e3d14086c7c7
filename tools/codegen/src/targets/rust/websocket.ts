// A WebSocket channel with `x-websocket.protocol` conventions: a method opening the runtime's
// reconnecting client (templates/rust/method/websocket.rs.hbs); credentials go in the upgrade
// request's headers. Without the conventions the channel is skipped (see the resource's note).
import type { Operation, WebSocketChannel } from "../../ir/types.ts";
import { snakeCase } from "../../naming/index.ts";
import { webSocketConventions } from "../sdk-common.ts";
import type { Render } from "../types.ts";
import { exampleDoc } from "./examples.ts";
import type { Method } from "./methods.ts";
import { type RustTypes, rustDoc, rustString } from "./types.ts";

export function websocketMethod(
  render: Render,
  types: RustTypes,
  op: Operation,
  channel: WebSocketChannel,
  property: string,
  clientName: string,
  libName: string,
): Method | null {
  const conventions = webSocketConventions(channel);
  const welcome = conventions?.welcome;
  const lastEventIdField = conventions?.lastEventIdField;
  if (!conventions || welcome === undefined || lastEventIdField === undefined) return null;
  const opt = (v: string | undefined) => (v === undefined ? "None" : `Some(${rustString(v)})`);
  const name = op.names?.rust?.method ?? snakeCase(op.id);
  const doc = rustDoc(
    [
      op.summary,
      op.description,
      "Returns a reconnecting client (a `Stream` of server messages with `send`); it resumes after the last event id on reconnect.",
    ]
      .filter(Boolean)
      .join("\n\n"),
    "    ",
    "Open the WebSocket channel.",
  );
  const example = {
    uses: [`use ${libName}::runtime::WsOptions;`],
    lines: [
      `// ${(op.summary ?? "WebSocket").replace(/\s+/g, " ").trim()}`,
      `let ws = ${snakeCase(clientName)}.${property}().${name}(WsOptions::default())?;`,
    ],
    usesJson: false,
  };
  const code = render("rust/method/websocket.rs.hbs", {
    // The README's statement compiled as the rustdoc example (`cargo test --doc`), as other methods'.
    doc: doc + exampleDoc(render, example, snakeCase(clientName), libName, clientName),
    method: name,
    client: types.type(channel.clientMessage, "models::"),
    server: types.type(channel.serverMessage, "models::"),
    path: rustString(channel.path),
    typeField: rustString(conventions.typeField),
    welcome: rustString(welcome),
    heartbeat: opt(conventions.heartbeat),
    subscribe: opt(conventions.subscribe),
    lastEventIdField: rustString(lastEventIdField),
    eventIdPointer: rustString(conventions.eventIdPointer),
    finalCloseCodes: (conventions.finalCloseCodes ?? []).join(", "),
    heartbeatIntervalField: opt(conventions.heartbeatIntervalField),
  });
  return {
    code,
    items: [],
    example,
    usesModels: true,
    imports: ["RequestSpec", "WebSocket", "WsOptions", "WsProtocol"],
  };
}
