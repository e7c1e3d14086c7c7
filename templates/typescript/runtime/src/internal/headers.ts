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

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const BAD_VALUE = /[\r\n\0]/;

/**
 * Like mergeHeaders, into a plain record with lower-case names: cheaper to build, and for fetch
 * to read, than a `Headers` object. Names and values are checked as `Headers` would (a bad one
 * is a TypeError here, never a "connection error" from inside fetch).
 */
export function mergeHeaderRecord(...sources: ReadonlyArray<HeadersInit_ | null | undefined>): Record<string, string> {
  return mergeHeaderRecordInto({}, ...sources);
}

/** mergeHeaderRecord onto `out` (lower-case names, already checked), which it returns. */
export function mergeHeaderRecordInto(
  out: Record<string, string>,
  ...sources: ReadonlyArray<HeadersInit_ | null | undefined>
): Record<string, string> {
  const set = (name: string, value: string): void => {
    if (!TOKEN.test(name)) throw new TypeError(`Invalid header name: ${JSON.stringify(name)}`);
    if (BAD_VALUE.test(value)) throw new TypeError(`Invalid value of header ${name}`);
    out[name.toLowerCase()] = value.trim();
  };
  for (const source of sources) {
    if (source == null) continue;
    if (source instanceof Headers) {
      source.forEach((value, name) => {
        out[name] = value;
      });
    } else if (Array.isArray(source)) {
      for (const [name, value] of source as ReadonlyArray<readonly [string, string]>) set(name, value);
    } else {
      for (const name in source as Record<string, unknown>) {
        const value = (source as Record<string, unknown>)[name];
        if (value === undefined) continue;
        if (value === null) delete out[name.toLowerCase()];
        else set(name, String(value));
      }
    }
  }
  return out;
}

const SECRET_HEADERS = new Set(["authorization", "cookie", "proxy-authorization", "x-api-key", "api-key"]);

/** Headers (lower-case names) as a plain object for logs, with credentials redacted. */
export function redactHeaders(headers: Readonly<Record<string, string>>, extraSecret?: string): Record<string, string> {
  const out: Record<string, string> = {};
  const extra = extraSecret?.toLowerCase();
  for (const name in headers) {
    out[name] = SECRET_HEADERS.has(name) || name === extra ? "***" : (headers[name] as string);
  }
  return out;
}
