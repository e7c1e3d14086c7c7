// One operation's method on its resource struct. This module computes the method's view (names,
// types, arguments, the request's calls, what it returns, its doc and example); the code's shape
// is in templates/rust/method/*.hbs, so the output can be restyled there. Layout that depends on
// line widths (signatures, call chains) is measured here as rustfmt would print it.
import type { Operation, TypeRef } from "../../ir/types.ts";
import { pascalCase, snakeCase } from "../../naming/index.ts";
import { errorBodies, requestPath } from "../sdk-common.ts";
import type { Render } from "../types.ts";
import { bodyCalls, requestBody } from "./bodies.ts";
import { exampleDoc, methodExample, type RustExample } from "./examples.ts";
import { bare, RUNTIME_METHODS, TRAIT_METHODS } from "./names.ts";
import { call, methodParameters, onRequest, operationParams, pathParameters } from "./parameters.ts";
import { paramsItems } from "./setters.ts";
import { streamEvents } from "./streams.ts";
import { chain, type RustTypes, rustDoc, rustString, signature } from "./types.ts";

export { bare } from "./names.ts";
export { websocketMethod } from "./websocket.ts";

export interface Method {
  code: string;
  /** Module-level items the method needs (its params struct, event enum, decoder). */
  items: string[];
  example: RustExample;
  usesModels: boolean;
  imports: string[];
}

export function operationMethod(
  render: Render,
  types: RustTypes,
  op: Operation,
  property: string,
  className: string,
  clientName: string,
  errorMaps: Map<string, string>,
  where: { libName: string; module: string },
): Method {
  const name = op.names?.rust?.method ?? snakeCase(op.id);
  const imports = new Set<string>(["RequestSpec"]);
  let usesModels = false;
  const q = (ref: TypeRef) => {
    const t = types.type(ref, "models::");
    if (t.includes("models::")) usesModels = true;
    return t;
  };

  const body = requestBody(render, types, op, className, name, q);
  if (body?.kind === "multipart") imports.add("Multipart");
  // Success response: JSON (also problem documents), an event stream, text or bytes.
  const content = op.responses.find((r) => r.status === op.successStatus)?.contents[0];

  const pathParams = op.parameters.filter((p) => p.in === "path");
  // An optional If-Match of a plain call is set on the request (`.if_match(3)`): a call whose
  // only other parameter it is needs no `&XParams::default()`.
  const ifMatch = op.parameters.find((p) => onRequest(types, op, p));
  const extra = methodParameters(types, op);
  const lastEventId = op.streaming ? op.parameters.find((p) => p.role === "last-event-id") : undefined;
  const pascal = pascalCase(bare(name));
  // Named after the resource too (`SequencesListParams`), so names never repeat across modules.
  const paramsName = `${className}${pascal}Params`;
  const argNames = new Set(
    [...pathParams, ...extra.filter((p) => p.required)].map((p) => bare(p.names?.rust?.param ?? p.name)),
  );
  const bodyArg = argNames.has("body") ? "request_body" : "body";
  const kind = op.pagination ? "paginator" : op.streaming ? "stream" : "request";

  const path = pathParameters(render, types, pathParams);
  if (path.usesModels) usesModels = true;
  if (path.usesStyle) imports.add("Style");
  const params = operationParams(render, types, extra, RUNTIME_METHODS[kind], q);
  // Path, then required query, header and cookie parameters, then the body; the optional ones
  // are setters on what the method returns.
  const args = ["&self", ...path.args, ...params.args];
  const calls = [...path.calls, ...params.argCalls];
  // A required Last-Event-ID is an argument too; an optional one is the stream's `.last_event_id_start`.
  const lastEventIdArg = lastEventId?.required ? (lastEventId.names?.rust?.param ?? lastEventId.name) : null;
  if (lastEventIdArg !== null) args.push(`${lastEventIdArg}: &str`);
  if (body) args.push(`${bodyArg}: ${body.required ? `&${body.type}` : `Option<&${body.type}>`}`);
  const hasParams = params.fields.length > 0;
  const bind = hasParams ? [call(render, "bindParams", { params: `${paramsName}::default()` })] : [];
  const withParams = (t: string) => (hasParams ? `${t}, ${paramsName}>` : `${t}>`);
  const attach = body === null ? [] : bodyCalls(render, body, bodyArg);
  if (body?.required) calls.push(...attach);
  if (content?.kind === "text" || content?.kind === "binary")
    calls.push(call(render, "accept", { mediaType: rustString(content.mediaType) }));
  const declared = errorBodies(op);
  if (declared.length > 0) {
    const entries = declared
      .map((e) => call(render, "errorEntry", { status: rustString(e.status), type: q(e.type) }))
      .join("\n");
    let table = errorMaps.get(entries);
    if (table === undefined) {
      table = `ERRORS_${errorMaps.size + 1}`;
      errorMaps.set(entries, table);
    }
    calls.push(call(render, "errors", { table }));
  }
  // A declared idempotency header: the runtime sends a generated key in it and retries the call.
  if (op.idempotencyKey && !op.streaming)
    calls.push(call(render, "idempotencyHeader", { header: rustString(op.idempotencyKey.header) }));

  const standard = ["get", "post", "put", "patch", "delete"].includes(op.method);
  const ctor = call(render, standard ? "request" : "requestOther", {
    method: standard ? op.method : op.method.toUpperCase(),
    path: rustString(requestPath(op)),
  });
  // An optional body is attached after the chain, when given.
  const mutable = body !== null && !body.required;
  const view: Record<string, unknown> = {
    bodyArg,
    form: body?.form ?? null,
    spec: chain(mutable ? "let mut spec = " : "let spec = ", ctor, calls, ";", "        "),
    setBody: mutable ? chain("spec = ", "spec", attach, ";", "            ") : "",
    decoder: "",
  };

  const items: string[] = [];
  let returns: string;
  let docTail: string;
  if (op.pagination) {
    const pg = op.pagination;
    imports.add("Paginator");
    returns = withParams(`Paginator<${q(pg.itemType)}`);
    const pcalls = [call(render, "paginate", {})];
    if (!(pg.cursorParam === "cursor" || pg.cursorParam === ""))
      pcalls.push(call(render, "cursorParam", { name: rustString(pg.cursorParam) }));
    if (!(pg.itemsField === "data" && pg.nextCursorField === "next_cursor" && pg.hasMoreField === "has_more")) {
      // The page body's member names, unless the runtime's defaults.
      pcalls.push(
        call(render, "pageFields", {
          items: pg.itemsField === null ? "None" : `Some(${rustString(pg.itemsField)})`,
          next: rustString(pg.nextCursorField),
          hasMore: pg.hasMoreField === null ? "None" : `Some(${rustString(pg.hasMoreField)})`,
        }),
      );
    }
    if (pg.style !== "cursor") {
      imports.add("PageStyle");
      const style = { nextUrl: "NextUrl", link: "Link", offset: "Offset", page: "PageNumber" }[pg.style];
      const limit =
        (pg.style === "offset" || pg.style === "page") && pg.limitParam !== null
          ? `Some(${rustString(pg.limitParam)})`
          : "None";
      pcalls.push(call(render, "pageStyle", { style, limit }));
    }
    view.result = chain("", "self.core", [...pcalls, ...bind], "", "        ");
    docTail = "`.await` gives the first page; `.items()` streams every item across pages.";
  } else if (op.streaming) {
    imports.add("EventStream");
    const events = streamEvents(render, types, op, className, name, q);
    if (events.usesSseMessage) imports.add("SseMessage");
    items.push(...events.items);
    returns = withParams(`EventStream<${events.eventType}`);
    let decoder = events.decoder;
    if (decoder.includes("::")) {
      // A named decoder keeps the chain within rustfmt's call width.
      view.decoder = decoder;
      decoder = "decode";
    }
    const scalls = [call(render, "eventStream", { decoder })];
    if (lastEventIdArg !== null)
      scalls.push(call(render, "lastEventId", { value: `Some(${lastEventIdArg}.to_owned())` }));
    view.result = chain("", "self.core", [...scalls, ...bind], "", "        ");
    docTail = "A reconnecting Server-Sent Events stream: it resumes after the last event id by itself.";
  } else {
    imports.add("PendingRequest");
    let result = content?.type !== undefined ? q(content.type) : "()";
    let request = "request";
    // Text and binary answers: the text or the exact bytes (not JSON), with a matching Accept.
    if (content?.kind === "text" || content?.kind === "binary") {
      result = content.kind === "text" ? "String" : "Vec<u8>";
      request = content.kind === "text" ? "request_text" : "request_bytes";
    }
    returns = withParams(`PendingRequest<${result}`);
    view.result = chain("", "self.core", [`.${request}(spec)`, ...bind], "", "        ");
    docTail = "`.await` for the result, `.with_response().await` for the raw response too.";
  }

  const text = [op.summary, op.description].filter(Boolean).join("\n\n");
  const notes = [
    `\`${op.method.toUpperCase()} ${op.path}\`.`,
    docTail,
    hasParams
      ? `Optional parameters: ${params.fields
          .slice(0, 3)
          .map((f) => `\`.${f.setter}(..)\``)
          .join(
            ", ",
          )}${params.fields.length > 3 ? ", ..." : ""} on what it returns (or \`.params(${paramsName} { .. })\`).`
      : "",
    lastEventId && !lastEventId.required ? "`.last_event_id_start(Some(id))` resumes after an event id." : "",
    ifMatch ? "`.if_match(version)` makes a stale change fail with `Error::PreconditionFailed`." : "",
    op.idempotencyKey
      ? "An idempotency key is generated once and reused on every retry, so a retry is never applied twice (`.idempotency_key(k)` sets yours)."
      : "",
  ]
    .filter(Boolean)
    .join(" ");
  const lints: string[] = [];
  if (args.length > 7) lints.push("clippy::too_many_arguments");
  if (TRAIT_METHODS.has(bare(name))) lints.push("clippy::should_implement_trait");
  if (/^(to|into|from|as|is)_/.test(bare(name))) lints.push("clippy::wrong_self_convention");

  if (hasParams) {
    items.unshift(paramsItems(render, { className, method: bare(name), name: paramsName, returns }, params));
  }
  if (body?.form) items.splice(hasParams ? 1 : 0, 0, body.form.struct);

  // The example: what the README shows and the method's rustdoc compiles (`no_run`).
  const example = methodExample(types, op, {
    libName: where.libName,
    module: where.module,
    client: snakeCase(clientName),
    property,
    name,
    pathParams,
    body,
    bodyArg,
    positional: params.positional,
    setters: params.fields,
    lastEventIdArg,
    ifMatch: ifMatch !== undefined,
    returns,
  });
  let doc = rustDoc(text === "" ? notes : `${text}\n\n${notes}`, "    ", notes);
  if (example.compiles) {
    doc += exampleDoc(render, example.example, snakeCase(clientName), where.libName, clientName);
  }
  const code = render("rust/method/method.rs.hbs", {
    ...view,
    doc,
    deprecated: op.deprecated,
    lints: lints.join(", "),
    signature: signature("    ", `pub fn ${name}`, args, ` -> ${returns} {`),
  });
  return { code, items, example: example.example, usesModels, imports: [...imports] };
}
