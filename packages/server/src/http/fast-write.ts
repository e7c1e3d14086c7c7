// Sequence PATCHes answered straight through node:http, without the Fetch API round trip (a
// Request with a web stream over the socket, Headers set by five middlewares, a Response copied
// back to Node, Hono's dispatch): over half a mutation's CPU on the main thread went there (see
// docs/performance.md). The same checks apply, through the same functions the Hono stack uses:
// request id, API key, rate limit, body limit, the generated skeleton's operation spec
// (parameters, content types, bounded JSON parsing, schema validation), the same service call,
// the same problem answers for invalid bodies and the service's errors, the log line, metrics and
// Server-Timing. fast-write.test.ts sends each case both ways and compares status, body, headers
// and log line.
//
// It takes only requests it can decide from their headers: `PATCH /api/v1/sequences/<id>` without
// a query, a key known without a lookup and tokens left (fast-admit.ts), valid parameters, no
// Idempotency-Key (its claim and replay stay with the Hono middleware), a JSON content type the
// operation accepts, and a declared Content-Length from 1 byte to the body limit (no chunked
// body). Everything else goes to the Hono app untouched (nothing taken, read or logged).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { SequencePatchInput, SequenceView } from "../domain/index.ts";
import type { JsonLimits } from "../generated/runtime/json.ts";
import { defaultJsonLimits, parseJson, textErrors } from "../generated/runtime/json.ts";
import type { OperationSpec } from "../generated/runtime/operation.ts";
import { type ParameterSource, readParameter } from "../generated/runtime/params.ts";
import type { FieldError, Schema, Validator } from "../generated/runtime/validate.ts";
import { etagOf } from "../service/if-match.ts";
import type { SequenceService } from "../service/sequences.ts";
import { errorAnswer } from "./errors.ts";
import { type AdmitDeps, type Admitted, admit, answer, type FastPath, occurrences, take } from "./fast-admit.ts";
import type { Log } from "./observe.ts";
import { problemBody } from "./problem.ts";

const PREFIX = "/api/v1/sequences/";
/** The generated route's pattern, as the Hono stack logs and counts it. */
const ROUTE = "/api/v1/sequences/:sequence_id";
/** Ids as the fast path takes them (no `/`, `%`, `?`): the path's text is the parameter's value. */
const plainId = /^[A-Za-z0-9_-]{1,128}$/;
/** The status logged for a client that hung up mid-body (as app.ts CLIENT_CLOSED_REQUEST). */
const CLIENT_CLOSED = 499;

export interface FastWriteDeps extends AdmitDeps {
  service: SequenceService;
  /** The generated skeleton's spec of the operation (operations.ts `updateSequence`). */
  operation: OperationSpec;
  validator: Validator;
  resolve: (ref: string) => Schema;
  jsonLimits?: JsonLimits | undefined;
  bodyLimitBytes: number;
  /** The titles the app's problem writer gives the skeleton's codes. */
  titles: Readonly<Record<"BAD_REQUEST" | "PAYLOAD_TOO_LARGE" | "VALIDATION_FAILED", string>>;
  log: Log;
}

function countText(n: number): string {
  return `${n} invalid field${n === 1 ? "" : "s"}`;
}

/** The body's bytes once it has all arrived; undefined when the client went away first. */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.once("end", () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.once("close", () => {
      if (!req.complete) resolve(undefined);
    });
    req.once("error", () => resolve(undefined));
  });
}

export function fastSequencePatches(deps: FastWriteDeps): FastPath {
  const expose = deps.cors.exposeHeaders.join(",");
  const spec = deps.operation;
  const body = spec.body;
  if (body === undefined) throw new Error(`${spec.operationId} has no body`);
  const limits = deps.jsonLimits ?? defaultJsonLimits;

  /** The operation's parameters from the Node request, or undefined when any is invalid (Hono answers). */
  function parameters(req: IncomingMessage, id: string): Record<string, unknown> | undefined {
    const headers = req.headers;
    const source: ParameterSource = {
      path: (name) => (name === "sequence_id" ? id : undefined),
      query: () => [],
      queries: () => ({}),
      header: (name) => headers[name.toLowerCase()] as string | undefined,
      cookie: () => undefined,
    };
    const values: Record<string, unknown> = {};
    for (const parameter of spec.parameters) {
      if (parameter.in === "query" || parameter.in === "cookie") return undefined;
      const value = readParameter(parameter, source, deps.resolve);
      if (value === undefined) {
        if (parameter.required) return undefined;
        continue;
      }
      if (textErrors(value, "").length > 0 || deps.validator.validate(parameter.schema, value).length > 0)
        return undefined;
      values[parameter.name] = value;
    }
    return values;
  }

  return (req, res) => {
    const started = performance.now();
    const url = req.url;
    if (req.method !== "PATCH" || url === undefined || !url.startsWith(PREFIX)) return false;
    const id = url.slice(PREFIX.length);
    if (!plainId.test(id)) return false;
    const headers = req.headers;
    if (headers["idempotency-key"] !== undefined || headers["transfer-encoding"] !== undefined) return false;
    const length = headers["content-length"];
    if (length === undefined || !/^\d{1,10}$/.test(length)) return false;
    const size = Number(length);
    if (size === 0 || size > deps.bodyLimitBytes) return false;
    // Node keeps the first of repeated Content-Type headers, Fetch joins them: Hono decides those.
    const type = headers["content-type"]?.split(";")[0]?.trim().toLowerCase();
    if (type === undefined || !body.contentTypes.includes(type) || occurrences(req.rawHeaders, "content-type") > 1) {
      return false;
    }
    const params = parameters(req, id);
    if (params === undefined) return false;
    const admitted = admit(deps, req);
    if (admitted === undefined) return false;

    // Answered here from now on.
    const taken = take(deps, req, admitted, started);
    const r = { taken, admitted, method: "PATCH", route: ROUTE, path: url };
    const problem = (status: number, code: string, title: string, detail: string, errors: readonly FieldError[]) => {
      const doc = problemBody({ status, code, title, detail, instance: url, requestId: taken.requestId, errors });
      return JSON.stringify(doc);
    };
    const refuse = (
      status: 400 | 413 | 422,
      code: keyof FastWriteDeps["titles"],
      detail: string,
      errors: FieldError[],
    ) =>
      answer(
        deps,
        res,
        r,
        status,
        [["content-type", "application/problem+json"]],
        problem(status, code, deps.titles[code], detail, errors),
        expose,
      );
    void readBody(req)
      .then(async (bytes) => {
        if (bytes === undefined) {
          // Nobody is left to answer; logged and counted as the Hono stack does (app.ts).
          deps.report({
            requestId: taken.requestId,
            method: "PATCH",
            route: ROUTE,
            path: url,
            status: CLIENT_CLOSED,
            ms: performance.now() - started,
            keyId: admitted.principal.keyId,
            keyPrefix: admitted.keyPrefix,
          });
          return;
        }
        const parsed = parseJson(bytes, limits);
        if (!parsed.ok) {
          const p = parsed.problem;
          return refuse(p.status, p.code, p.detail, p.errors);
        }
        const errors = deps.validator.validate(body.schema, parsed.value);
        if (errors.length > 0) {
          return refuse(422, "VALIDATION_FAILED", `The request body has ${countText(errors.length)}.`, errors);
        }
        await mutate(
          res,
          r,
          admitted,
          id,
          parsed.value as SequencePatchInput,
          params["If-Match"] as string | undefined,
        );
      })
      .catch((error: unknown) => {
        // Only a fault of this code lands here (every answer above is written once): never a
        // hanging client or an unhandled rejection.
        deps.log({ level: "error", msg: "unhandled error", request_id: taken.requestId, error: String(error) });
        if (!res.headersSent) res.destroy();
      });
    return true;
  };

  async function mutate(
    res: ServerResponse,
    r: Parameters<typeof answer>[2],
    admitted: Admitted,
    id: string,
    patch: SequencePatchInput,
    ifMatch: string | undefined,
  ): Promise<void> {
    const caller = { projectId: admitted.principal.projectId };
    let view: SequenceView;
    try {
      view = await deps.service.update(caller, id, patch, { ifMatch });
    } catch (error) {
      const known = errorAnswer(error);
      if (known === undefined) {
        deps.log({ level: "error", msg: "unhandled error", request_id: r.taken.requestId, error: String(error) });
      }
      const status = known?.status ?? 500;
      const doc = problemBody({
        status,
        code: known?.code ?? "INTERNAL_ERROR",
        title: known?.title ?? "Internal server error",
        detail: known?.detail ?? "Nothing was changed. Report the request id.",
        instance: r.path,
        requestId: r.taken.requestId,
        errors: known?.fields ?? [],
      });
      const own: [string, string][] = [["content-type", "application/problem+json"]];
      for (const [name, value] of Object.entries(known?.headers ?? {})) own.push([name.toLowerCase(), value]);
      answer(deps, res, r, status, own, JSON.stringify(doc), expose);
      return;
    }
    const own: [string, string][] = [
      ["content-type", "application/json"],
      ["etag", etagOf(view.version)],
    ];
    answer(deps, res, r, 200, own, JSON.stringify(view), expose);
  }
}
