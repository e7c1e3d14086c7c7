import { formatScalar, type QueryValue } from "./query.ts";

/**
 * A path or cookie value already written in its parameter style (delimiters and encoding
 * applied): `fillPath` and `cookieHeader` use its text as it is.
 */
export class Styled {
  readonly text: string;
  constructor(text: string) {
    this.text = text;
  }
}

/** A parameter value a style can write: a scalar, an array of them, or an object of them. */
export type StyleValue =
  | QueryValue
  | ReadonlyArray<QueryValue>
  | Readonly<Record<string, QueryValue | ReadonlyArray<QueryValue>>>;

/** The parameter styles of path (simple, label, matrix), header (simple) and cookie (form) parameters. */
export type ParameterStyle = "simple" | "label" | "matrix" | "form";

/**
 * Writes a parameter value in its style (OpenAPI's style table, RFC 6570): `simple` 3,4,5 or
 * R,100,G,200 (exploded R=100,G=200); `label` .3,4,5 (exploded .3.4.5); `matrix` ;id=3,4,5
 * (exploded ;id=3;id=4); `form` id=3,4,5 (exploded id=3&id=4, joined with `pairJoin`). Each name
 * and value is passed through `encode`; `undefined` for an absent value.
 */
export function styleValue(
  style: ParameterStyle,
  name: string,
  value: StyleValue | null | undefined,
  explode: boolean,
  encode: (text: string) => string = (t) => t,
  pairJoin = "&",
): string | undefined {
  if (value === undefined || value === null) return undefined;
  const atom = (v: Exclude<QueryValue, null | undefined>) => encode(formatScalar(v));
  const present = <T>(v: T | null | undefined): v is T => v !== undefined && v !== null;
  let items: string[] | null = null;
  let pairs: Array<[string, string]> | null = null;
  if (Array.isArray(value)) items = (value as ReadonlyArray<QueryValue>).filter(present).map(atom);
  else if (typeof value === "object" && !(value instanceof Date)) {
    pairs = [];
    for (const [k, v] of Object.entries(value as Record<string, QueryValue | ReadonlyArray<QueryValue>>)) {
      if (!present(v)) continue;
      const text = Array.isArray(v)
        ? (v as ReadonlyArray<QueryValue>).filter(present).map(atom).join(",")
        : atom(v as Exclude<QueryValue, null | undefined>);
      pairs.push([encode(k), text]);
    }
  }
  const key = encode(name);
  if (items === null && pairs === null) {
    const one = atom(value as Exclude<QueryValue, null | undefined>);
    return style === "label"
      ? `.${one}`
      : style === "matrix"
        ? `;${key}=${one}`
        : style === "form"
          ? `${key}=${one}`
          : one;
  }
  if (items !== null) {
    switch (style) {
      case "simple":
        return items.join(",");
      case "label":
        return `.${items.join(explode ? "." : ",")}`;
      case "matrix":
        return explode ? items.map((i) => `;${key}=${i}`).join("") : `;${key}=${items.join(",")}`;
      case "form":
        return explode ? items.map((i) => `${key}=${i}`).join(pairJoin) : `${key}=${items.join(",")}`;
    }
  }
  const list = pairs as Array<[string, string]>;
  const flat = list.flat().join(",");
  switch (style) {
    case "simple":
      return explode ? list.map(([k, v]) => `${k}=${v}`).join(",") : flat;
    case "label":
      return explode ? `.${list.map(([k, v]) => `${k}=${v}`).join(".")}` : `.${flat}`;
    case "matrix":
      return explode ? list.map(([k, v]) => `;${k}=${v}`).join("") : `;${key}=${flat}`;
    case "form":
      return explode ? list.map(([k, v]) => `${k}=${v}`).join(pairJoin) : `${key}=${flat}`;
  }
}

/** A path parameter in its style, percent-encoded (delimiters kept). */
export function stylePath(
  style: ParameterStyle,
  name: string,
  value: StyleValue | null | undefined,
  explode: boolean,
): Styled | undefined {
  const text = styleValue(style, name, value, explode, encodeURIComponent);
  return text === undefined ? undefined : new Styled(text);
}

/** A header value in style simple (no encoding: header values are sent as they are). */
export function styleHeader(value: StyleValue | null | undefined, explode: boolean): string | undefined {
  return styleValue("simple", "", value, explode);
}

/**
 * A cookie parameter in style form as the `name=value` pair(s) of the Cookie header: an array
 * `name=a,b` (exploded: `name=a; name=b`), an object `name=k,v` (exploded: `k=v; k2=v2`).
 */
export function styleCookie(name: string, value: StyleValue | null | undefined, explode: boolean): Styled | undefined {
  const text = styleValue("form", name, value, explode, encodeURIComponent, "; ");
  return text === undefined ? undefined : new Styled(text);
}

/**
 * A non-exploded object query parameter as one value (style form: `R,100,G,200`;
 * pipeDelimited: `R|100|G|200`; spaceDelimited: `R 100 G 200`); the query string encodes it.
 */
export function joinedObject(value: StyleValue | null | undefined, delimiter: string): string | undefined {
  const text = styleValue("simple", "", value, false);
  return text === undefined ? undefined : delimiter === "," ? text : text.split(",").join(delimiter);
}
