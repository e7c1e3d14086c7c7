// Runs one operation of the generated skeleton: checks the content type, parses and validates
// parameters and body, calls the typed handler, and serialises its typed result. Invalid input
// never reaches a handler: 400 (malformed), 413 (over a JSON limit), 415 (content type) or 422
// (schema, characters), each a problem+json document listing every failing field.
//
// Bodies are read by media type: JSON (`application/json`, `*+json`) is parsed within the JSON
// limits (json.ts: depth, members, string length, checked before anything is built),
// form-urlencoded is turned into an object whose fields are coerced by the schema (integers,
// numbers, booleans, arrays from repeated fields), then both are validated; `text/*` arrives as
// a string (validated as one) and any other type as the raw bytes (a `Uint8Array`). Text must be
// valid UTF-8, and strings (parameters, JSON strings and member names, form fields) valid Unicode
// without U+0000 (unless `text.allowNul`). A parameter may name the code its failures answer
// with (`errorCode`, from `x-error-code`): used when every failing parameter names that code.
import type { Context } from "hono";
import {
  type BodyProblem,
  characterProblem,
  decodeUtf8,
  defaultJsonLimits,
  type JsonLimits,
  notUtf8,
  parseJson,
  type TextRules,
  textErrors,
} from "./json.ts";
import { type ParameterSpec, parseQuery, readCookie, readForm, readMultipart, readParameter } from "./params.ts";
import type { FieldError, Schema, Validator } from "./validate.ts";

export interface OperationSpec {
  operationId: string;
  parameters: readonly ParameterSpec[];
  body?: { contentTypes: readonly string[]; schema: Schema; required: boolean };
  /**
   * The media type of declared answers that are not JSON, by status (`"200": "text/plain"`): a
   * string or byte body is sent as is with that content type.
   */
  responses?: Readonly<Record<string, string>>;
}

/** What a handler receives: parsed, validated input. */
export interface OperationInput {
  path: Record<string, unknown>;
  query: Record<string, unknown>;
  headers: Record<string, unknown>;
  cookies: Record<string, unknown>;
  body: unknown;
}

/** What a handler returns: a declared status with its body and headers, or a raw Response (streams). */
export type OperationResult =
  | { status: number; body?: unknown; headers?: Record<string, string | undefined>; contentType?: string }
  | Response;

export type ProblemCode =
  | "BAD_REQUEST"
  | "METHOD_NOT_ALLOWED"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "VALIDATION_FAILED";

/** Writes a problem answer; `C`: the codes it is given (ProblemCode, and the parameters' own codes). */
export type ProblemWriter<C extends string = ProblemCode> = (
  c: Context,
  status: 400 | 405 | 413 | 415 | 422,
  code: C,
  detail: string,
  errors: FieldError[],
) => Response;

/** `C`: the codes parameters answer with instead of BAD_REQUEST (their `errorCode`s). */
export interface RuntimeOptions<C extends string = never> {
  validator: Validator;
  resolve: (ref: string) => Schema;
  problem: ProblemWriter<ProblemCode | C>;
  /** Limits of JSON bodies (defaults: `defaultJsonLimits`). */
  jsonLimits?: JsonLimits | undefined;
  /** Which characters strings may hold (default: no U+0000, never unpaired surrogates). */
  text?: TextRules | undefined;
}

function mediaType(header: string | undefined): string | undefined {
  return header?.split(";")[0]?.trim().toLowerCase();
}

function countText(n: number): string {
  return `${n} invalid field${n === 1 ? "" : "s"}`;
}

function isJson(type: string): boolean {
  return type === "application/json" || type.endsWith("+json");
}

const FORM = "application/x-www-form-urlencoded";
const MULTIPART = "multipart/form-data";

export function runOperation<C extends string = never>(
  spec: OperationSpec,
  options: RuntimeOptions<C>,
  handler: (input: OperationInput, c: Context) => Promise<OperationResult>,
) {
  return async (c: Context): Promise<Response> => {
    const input: OperationInput = { path: {}, query: {}, headers: {}, cookies: {}, body: undefined };
    const parameterErrors: FieldError[] = [];
    // The code each failing parameter answers with (its own, else BAD_REQUEST).
    const failedCodes = new Set<string>();
    // The query string is parsed once per request, not once per parameter, and only if needed.
    let query: ReturnType<typeof parseQuery> | undefined;
    const parsedQuery = () => {
      query ??= parseQuery(c.req.url);
      return query;
    };
    const allQueries = () => parsedQuery().values;
    const source = {
      path: (name: string) => c.req.param(name),
      query: (name: string) => allQueries()[name] ?? [],
      queries: allQueries,
      header: (name: string) => c.req.header(name),
      cookie: (name: string) => readCookie(c.req.header("Cookie"), name),
    };
    const text = options.text ?? {};
    let readsQuery = false;
    for (const parameter of spec.parameters) {
      if (parameter.in === "query") readsQuery = true;
      const value = readParameter(parameter, source, options.resolve);
      const field = `${parameter.in}.${parameter.name}`;
      const failedBefore = parameterErrors.length;
      if (value === undefined) {
        if (parameter.required) parameterErrors.push({ field, code: "required", message: "is required" });
      } else {
        const bad = textErrors(value, "", text);
        for (const error of bad.length > 0 ? bad : options.validator.validate(parameter.schema, value)) {
          parameterErrors.push({ ...error, field: error.field === "" ? field : `${field}${error.field}` });
        }
      }
      if (parameterErrors.length > failedBefore) failedCodes.add(parameter.errorCode ?? "BAD_REQUEST");
      if (value === undefined) continue;
      const target =
        parameter.in === "header"
          ? input.headers
          : parameter.in === "path"
            ? input.path
            : parameter.in === "cookie"
              ? input.cookies
              : input.query;
      target[parameter.name] = value;
    }
    // Percent escapes that are not UTF-8 are refused, not passed on half-decoded.
    if (readsQuery) {
      for (const name of parsedQuery().malformed) {
        parameterErrors.push({
          field: `query.${name}`,
          code: "encoding",
          message: "must be valid percent-encoded UTF-8",
        });
        const owner = spec.parameters.find((p) => p.in === "query" && p.name === name);
        failedCodes.add(owner?.errorCode ?? "BAD_REQUEST");
      }
    }
    if (parameterErrors.length > 0) {
      // A parameter's own code when every failure is of parameters naming that code; a request
      // with failures of several kinds gets the generic one (each field is listed either way).
      const [only] = failedCodes;
      const code = failedCodes.size === 1 && only !== undefined ? (only as ProblemCode | C) : "BAD_REQUEST";
      return options.problem(c, 400, code, `The request has ${countText(parameterErrors.length)}.`, parameterErrors);
    }

    if (spec.body !== undefined) {
      const bytes = new Uint8Array(await c.req.arrayBuffer());
      if (bytes.byteLength === 0) {
        if (spec.body.required) {
          return options.problem(c, 400, "BAD_REQUEST", "The request needs a body.", [
            { field: "body", code: "required", message: "is required" },
          ]);
        }
      } else {
        const type = mediaType(c.req.header("Content-Type"));
        if (type === undefined || !spec.body.contentTypes.includes(type)) {
          return options.problem(
            c,
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            `Send the body as ${spec.body.contentTypes.join(" or ")}.`,
            [{ field: "header.Content-Type", code: "enum", message: `must be ${spec.body.contentTypes.join(" or ")}` }],
          );
        }
        let body: unknown;
        const refuse = (p: BodyProblem) => options.problem(c, p.status, p.code, p.detail, p.errors);
        if (isJson(type)) {
          const parsed = parseJson(bytes, options.jsonLimits ?? defaultJsonLimits, text);
          if (!parsed.ok) return refuse(parsed.problem);
          body = parsed.value;
        } else if (type === FORM || type.startsWith("text/")) {
          const decoded = decodeUtf8(bytes);
          if (decoded === undefined) return refuse(notUtf8());
          if (type === FORM) {
            const form = readForm(decoded, spec.body.schema, options.resolve);
            if (form.malformed.length > 0) {
              return options.problem(
                c,
                400,
                "BAD_REQUEST",
                "The body has fields that are not valid percent-encoded UTF-8.",
                form.malformed.map((name) => ({
                  field: `/${name.replace(/~/g, "~0").replace(/\//g, "~1")}`,
                  code: "encoding",
                  message: "must be valid percent-encoded UTF-8",
                })),
              );
            }
            body = form.value;
          } else body = decoded;
          const bad = textErrors(body, "", text).map((e) => ({ ...e, field: e.field === "" ? "body" : e.field }));
          if (bad.length > 0) return refuse(characterProblem(bad));
        } else if (type === MULTIPART) {
          let form: FormData;
          try {
            const header = c.req.header("Content-Type") ?? type;
            form = await new Response(bytes, { headers: { "Content-Type": header } }).formData();
          } catch {
            return options.problem(c, 400, "BAD_REQUEST", "The body is not valid multipart/form-data.", [
              { field: "body", code: "malformed", message: "must be multipart/form-data with a boundary" },
            ]);
          }
          // JSON parts are read within the same limits as JSON bodies (depth, members, lengths).
          const parts = await readMultipart(form, spec.body.schema, options.resolve, (part) => {
            const parsed = parseJson(new TextEncoder().encode(part), options.jsonLimits ?? defaultJsonLimits, text);
            return parsed.ok ? { ok: true, value: parsed.value } : { ok: false };
          });
          if (parts.malformed.length > 0) {
            return options.problem(
              c,
              400,
              "BAD_REQUEST",
              "The body has parts that are not valid JSON (or are over the JSON limits).",
              parts.malformed.map((name) => ({
                field: `/${name.replace(/~/g, "~0").replace(/\//g, "~1")}`,
                code: "malformed",
                message: "must be JSON within the limits",
              })),
            );
          }
          body = parts.value;
          const bad = textErrors(body, "", text).map((e) => ({ ...e, field: e.field === "" ? "body" : e.field }));
          if (bad.length > 0) return refuse(characterProblem(bad));
        } else {
          body = bytes;
        }
        const errors = body instanceof Uint8Array ? [] : options.validator.validate(spec.body.schema, body);
        if (errors.length > 0) {
          return options.problem(
            c,
            422,
            "VALIDATION_FAILED",
            `The request body has ${countText(errors.length)}.`,
            errors,
          );
        }
        input.body = body;
      }
    }

    const result = await handler(input, c);
    if (result instanceof Response) return result;
    for (const [name, value] of Object.entries(result.headers ?? {})) if (value !== undefined) c.header(name, value);
    if (result.body === undefined) return c.body(null, result.status as 204);
    const declared = spec.responses?.[String(result.status)];
    const contentType =
      result.contentType ?? declared ?? (result.status >= 400 ? "application/problem+json" : "application/json");
    // Bytes, and strings answered with a media type that is not JSON, are sent as they are.
    if (result.body instanceof Uint8Array) {
      return c.body(result.body as Uint8Array<ArrayBuffer>, result.status as 200, { "Content-Type": contentType });
    }
    if (typeof result.body === "string" && !isJson(mediaType(contentType) ?? "")) {
      return c.body(result.body, result.status as 200, { "Content-Type": contentType });
    }
    return c.body(JSON.stringify(result.body), result.status as 200, { "Content-Type": contentType });
  };
}

/**
 * The answer for a known path asked with a method it does not serve: 405 with `Allow` listing the
 * methods it does (HEAD wherever GET is, and OPTIONS). OPTIONS itself is answered 204 with `Allow`.
 */
const order = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

export function methodNotAllowed(methods: readonly string[], problem: ProblemWriter) {
  const served = new Set(methods.map((m) => m.toUpperCase()));
  if (served.has("GET")) served.add("HEAD");
  served.add("OPTIONS");
  const rank = (m: string) => (order.indexOf(m) + order.length + 1) % (order.length + 1);
  const allow = [...served].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b)).join(", ");
  return (c: Context): Response => {
    if (c.req.method === "OPTIONS") return c.body(null, 204, { Allow: allow });
    const response = problem(c, 405, "METHOD_NOT_ALLOWED", `${c.req.method} is not allowed here; use ${allow}.`, []);
    response.headers.set("Allow", allow);
    return response;
  };
}
