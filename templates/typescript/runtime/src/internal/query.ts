/** A value the runtime can put in a query string or a path segment. */
export type QueryValue = string | number | boolean | bigint | Date | null | undefined;

/** Query parameters in declaration order; arrays are exploded, objects spread (form style). */
export type QueryParams = Readonly<
  Record<string, QueryValue | ReadonlyArray<QueryValue> | Readonly<Record<string, QueryValue>>>
>;

/** Formats a scalar for the wire: booleans `true`/`false`, dates RFC 3339 (UTC). */
export function formatScalar(value: Exclude<QueryValue, null | undefined>): string {
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/** `application/x-www-form-urlencoded` query string (no leading `?`), omitting null/undefined. */
export function stringifyQuery(query: QueryParams | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      for (const item of value as ReadonlyArray<QueryValue>) {
        if (item !== undefined && item !== null) params.append(key, formatScalar(item));
      }
    } else if (typeof value === "object" && !(value instanceof Date)) {
      for (const [subKey, subValue] of Object.entries(value as Record<string, QueryValue>)) {
        if (subValue !== undefined && subValue !== null) params.append(subKey, formatScalar(subValue));
      }
    } else {
      params.append(key, formatScalar(value as Exclude<QueryValue, null | undefined>));
    }
  }
  // URLSearchParams encodes spaces as "+"; "%20" is understood by every server and is safer.
  return params.toString().replace(/\+/g, "%20");
}

/**
 * A deepObject-style query parameter (`filter[status]=open&filter[owner]=me`): one pair per
 * member of `value`, in its key order, ready to spread into `RequestSpec.query`. Array members are
 * exploded (`filter[tag]=a&filter[tag]=b`); `undefined`/`null` members, and an absent `value`,
 * add nothing.
 */
export function deepObjectQuery(
  name: string,
  value: Readonly<Record<string, QueryValue | ReadonlyArray<QueryValue>>> | null | undefined,
): Record<string, QueryValue | ReadonlyArray<QueryValue>> {
  const out: Record<string, QueryValue | ReadonlyArray<QueryValue>> = {};
  if (value === null || value === undefined) return out;
  for (const [key, member] of Object.entries(value)) {
    if (member !== undefined && member !== null) out[`${name}[${key}]`] = member;
  }
  return out;
}

/**
 * A non-exploded array query parameter as one value: the items joined with `delimiter` (`","`
 * for style form without explode, `"|"` for pipeDelimited, `" "` for spaceDelimited), `undefined`/
 * `null` items skipped. `undefined` for an absent array, so the parameter is omitted.
 */
export function delimitedQuery(
  values: ReadonlyArray<QueryValue> | null | undefined,
  delimiter: string,
): string | undefined {
  if (values === null || values === undefined) return undefined;
  return values
    .filter((v): v is Exclude<QueryValue, null | undefined> => v !== undefined && v !== null)
    .map(formatScalar)
    .join(delimiter);
}

/**
 * An `application/x-www-form-urlencoded` body from a plain object: one pair per member in key
 * order, arrays exploded (`tag=a&tag=b`), booleans `true`/`false`, `Date` as RFC 3339,
 * `undefined`/`null` omitted. A nested object has no form encoding and throws a TypeError.
 */
export function stringifyForm(body: Readonly<Record<string, unknown>>): string {
  const params = new URLSearchParams();
  const add = (key: string, value: unknown): void => {
    if (value === undefined || value === null) return;
    if (typeof value === "object" && !(value instanceof Date)) {
      throw new TypeError(`The form field "${key}" is an object; form bodies carry scalars and arrays of them`);
    }
    params.append(key, formatScalar(value as Exclude<QueryValue, null | undefined>));
  };
  for (const [key, value] of Object.entries(body)) {
    if (Array.isArray(value)) for (const item of value as readonly unknown[]) add(key, item);
    else add(key, value);
  }
  return params.toString();
}

/**
 * The `Cookie` header of cookie parameters: `name=value` pairs joined with `; `, each value
 * percent-encoded (RFC 6265 allows no spaces, quotes, commas, semicolons or backslashes in a
 * value); `undefined`/`null` omitted. `undefined` when no cookie is left.
 */
export function cookieHeader(
  cookies: Readonly<Record<string, QueryValue | StyledText>> | undefined,
): string | undefined {
  if (!cookies) return undefined;
  const pairs: string[] = [];
  for (const [name, value] of Object.entries(cookies)) {
    if (value === undefined || value === null) continue;
    // A cookie in its style (an array or object) is its pair(s) already.
    if (isStyled(value)) pairs.push(value.text);
    else pairs.push(`${name}=${encodeURIComponent(formatScalar(value))}`);
  }
  return pairs.length === 0 ? undefined : pairs.join("; ");
}

/**
 * Fills `{name}` placeholders in a path template, each value percent-encoded as one segment
 * (a `/` in a value becomes `%2F`). A missing value is a programming error and throws.
 */
export function fillPath(
  template: string,
  params: Readonly<Record<string, QueryValue | StyledText>> | undefined,
): string {
  if (!template.includes("{")) return template;
  return template.replace(/\{([^}]+)\}/g, (_match, name: string) => {
    const value = params?.[name];
    if (value === undefined || value === null || value === "") {
      throw new TypeError(`Missing path parameter "${name}" for ${template}`);
    }
    // A value in its style (label, matrix, an array or object) is encoded already.
    if (isStyled(value)) return value.text;
    return encodeURIComponent(formatScalar(value));
  });
}

/** A value written in its parameter style (see style.ts `Styled`): its text is used as is. */
export interface StyledText {
  readonly text: string;
}

function isStyled(value: unknown): value is StyledText {
  return (
    typeof value === "object" &&
    value !== null &&
    !(value instanceof Date) &&
    typeof (value as StyledText).text === "string"
  );
}

/** Joins a base URL (which may carry a path prefix) with a path and a query string. */
export function buildURL(baseURL: string, path: string, query?: QueryParams): string {
  let url: string;
  if (path.startsWith("/") && !path.startsWith("//")) {
    // The common case (a path of the API), without the regular expressions below.
    url = `${baseURL.endsWith("/") ? baseURL.replace(/\/+$/, "") : baseURL}${path}`;
  } else {
    const isAbsolute = /^[a-z][a-z0-9+.-]*:\/\//i.test(path);
    url = isAbsolute ? path : `${baseURL.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
  }
  const qs = stringifyQuery(query);
  if (qs) url += (url.includes("?") ? "&" : "?") + qs;
  return url;
}
