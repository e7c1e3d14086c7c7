// The python target's views: what resource.py.hbs renders for a method (signature, runtime
// call, module-level items). The targets compute them; the template holds the code's shape.
import type { Parameter } from "../../ir/types.ts";
import { snakeCase } from "../../naming/index.ts";

/** The per-request keyword options every HTTP method takes (see `request_options`). */
export const OPTION_NAMES = ["timeout", "max_retries", "extra_headers", "extra_query", "idempotency_key"];

/** Their declarations in every HTTP method's signature. */
export const OPTION_PARAMS = [
  "timeout: TimeoutTypes | NotGiven = NOT_GIVEN",
  "max_retries: int | NotGiven = NOT_GIVEN",
  "extra_headers: Mapping[str, str | None] | None = None",
  "extra_query: Mapping[str, Any] | None = None",
  "idempotency_key: str | None = None",
].join(", ");

/** One generated method, rendered by resource.py.hbs for the sync and the async class. */
export interface PyMethod {
  name: string;
  kind: "plain" | "page" | "stream" | "websocket";
  /** Positional parameters after `self` (path parameters, then the body), as declared. */
  positional: string[];
  /** Keyword-only parameters of the operation (query, header, cookie), as declared. */
  keyword: string[];
  /**
   * When the body's members may also be passed as keyword arguments: the two overloads' body
   * parameter and member parameters, and the implementation's.
   */
  overload: { body: string; members: string[]; implBody: string; implMembers: string[] } | false;
  /** The runtime call: `request`, `request_page` or `request_stream`. */
  call: string;
  /** The runtime call's arguments, except `options`, rendered by resource.py.hbs. */
  request: PyRequest | false;
  /** Whether the method takes the per-request keyword options. */
  options: boolean;
  /** Return annotations (sync, async). */
  returns: [string, string];
  doc: string;
  /** Module-level items (stream decoders, WebSocket protocol constants), rendered by the template. */
  items: PyItem[];
  example: string;
  /** A WebSocket method's client (the template writes the sync and the async one). */
  websocket: { path: string; query: PyEntry[] | false; protocol: string; decode: string } | false;
}

/**
 * A module-level item of a resource module, rendered by resource.py.hbs: an error map, a stream
 * decoder (the raw data, JSON of one type, or chosen by event name) or a WebSocket channel's
 * event-id function and protocol constant. Exactly one member is not `false`.
 */
export interface PyItem {
  errorMap: { name: string; entries: PyEntry[] } | false;
  rawDecoder: { name: string } | false;
  /** A factory of the decoder for the client's strictness (`_decode_x(strict)`). */
  jsonDecoder: { name: string; type: string; decoder: string } | false;
  /** The same, choosing by the event name; an arm's `decoder` is `None` for a text event. */
  namedDecoder: { name: string; type: string; arms: Array<{ event: string; decoder: string }> } | false;
  webSocket:
    | {
        idFn: string;
        constant: string;
        typeField: string;
        eventType: string | false;
        pointer: string[];
        oneKey: boolean;
        welcome: string;
        heartbeat: string;
        subscribe: string;
        lastEventIdField: string;
        finalCloseCodes: string;
        heartbeatIntervalField: string;
      }
    | false;
}

const NO_ITEM: PyItem = {
  errorMap: false,
  rawDecoder: false,
  jsonDecoder: false,
  namedDecoder: false,
  webSocket: false,
};

/** An item with one member set. */
export function pyItem(item: Partial<PyItem>): PyItem {
  return { ...NO_ITEM, ...item };
}

/** One `key: value` entry of a dict argument; `key: false` spreads the value (`**value`). */
export interface PyEntry {
  key: string | false;
  value: string;
}

/**
 * The arguments of a runtime call (`self._client.request(...)`), as expressions; the template
 * lays out the call. `false` marks an argument the call does not pass.
 */
export interface PyRequest {
  method: string;
  path: string;
  /** `cast_to=` (plain), `item=` (page) or `decode=` (stream) and its expression. */
  result: { name: string; value: string };
  accept: string | false;
  pathParams: PyEntry[] | false;
  query: PyEntry[] | false;
  headers: PyEntry[] | false;
  cookies: PyEntry[] | false;
  body:
    | {
        /** The body argument as it is. */
        plain: boolean;
        /** The body or its members given as keyword arguments (`body_from(body, {...})`). */
        members: PyEntry[] | false;
        /** A multipart form: its parts (false: the `body` mapping), encodings, optional body. */
        multipart: { fields: PyEntry[] | false; encodings: PyEntry[] | false; optional: boolean } | false;
      }
    | false;
  contentType: string | false;
  errors: string | false;
  /** The idempotency header the operation declares (a key generated per call, retried); not on streams. */
  idempotencyHeader: string | false;
  cursorParam: string | false;
  pageFields: { items: string; nextCursor: string; hasMore: string } | false;
  pageStyle: { style: string; limit: string } | false;
  lastEventId: string | false;
}

/** A parameter's Python name; one that shares a per-request option's name is renamed. */
export function pname(p: Parameter): string {
  const name = p.names?.python?.param ?? snakeCase(p.name);
  // The per-request options keep their names; a parameter that shares one is renamed.
  return OPTION_NAMES.includes(name) ? `${name}_param` : name;
}
