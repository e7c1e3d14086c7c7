/**
 * Header sources the runtime accepts: a `Headers`, a plain record or a list of pairs. In a record,
 * `null` deletes a header set by an earlier source and `undefined` leaves it alone.
 */
export type HeadersInit_ =
  | Headers
  | ReadonlyArray<readonly [string, string]>
  | Readonly<Record<string, string | number | boolean | null | undefined>>;

/** Merges header sources left to right (later ones win, names compared case-insensitively). */
export function mergeHeaders(...sources: ReadonlyArray<HeadersInit_ | null | undefined>): Headers {
  const out = new Headers();
  for (const source of sources) {
    if (source == null) continue;
    if (source instanceof Headers) {
      source.forEach((value, name) => {
        out.set(name, value);
      });
    } else if (Array.isArray(source)) {
      for (const [name, value] of source as ReadonlyArray<readonly [string, string]>) out.set(name, value);
    } else {
      for (const [name, value] of Object.entries(source as Record<string, unknown>)) {
        if (value === undefined) continue;
        if (value === null) out.delete(name);
        else out.set(name, String(value));
      }
    }
  }
  return out;
}

const SECRET_HEADERS = new Set(["authorization", "cookie", "proxy-authorization", "x-api-key", "api-key"]);

/** Headers as a plain object for logs, with credentials redacted. */
export function redactHeaders(headers: Headers, extraSecret?: string): Record<string, string> {
  const out: Record<string, string> = {};
  const extra = extraSecret?.toLowerCase();
  headers.forEach((value, name) => {
    out[name] = SECRET_HEADERS.has(name) || name === extra ? "***" : value;
  });
  return out;
}
