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
// a query, a key known without a lookup and tokens left (fast-admit.ts), valid parameters (an
// Idempotency-Key among them), a JSON content type the operation accepts, and a declared
// Content-Length from 1 byte to the body limit (no chunked body). Everything else goes to the
// Hono app untouched (nothing taken, read or logged). A keyed request runs as the idempotency
// middleware runs it (claim, replay, 409 while running, 422 for another request, the answer
// stored or the key released), with the same store calls.
import type { IncomingMessage } from "node:http";
import { idempotentAnswer } from "../api/context.ts";
import type { SequencePatchInput, SequenceView } from "../domain/index.ts";
import type { JsonLimits } from "../generated/runtime/json.ts";
import { defaultJsonLimits, parseJson, textErrors } from "../generated/runtime/json.ts";
import type { OperationSpec } from "../generated/runtime/operation.ts";
import { type ParameterSource, readParameter } from "../generated/runtime/params.ts";
import type { FieldError, Schema, Validator } from "../generated/runtime/validate.ts";
import { etagOf } from "../service/if-match.ts";
import type { SequenceService } from "../service/sequences.ts";
import type { IdempotencyClaim, IdempotencyLookup, Store } from "../store/types.ts";
import { errorAnswer } from "./errors.ts";
import { type AdmitDeps, admit, answer, type FastPath, occurrences, take } from "./fast-admit.ts";
import { keyRefusals, releasesKey, replayedHeaders, requestFingerprint } from "./idempotency.ts";
import type { Log } from "./observe.ts";
import { problemBody } from "./problem.ts";

const PREFIX = "/api/v1/sequences/";
/** The generated route's pattern, as the Hono stack logs and counts it. */
const ROUTE = "/api/v1/sequences/:sequence_id";
/** Ids as the fast path takes them (no `/`, `%`, `?`): the path's text is the parameter's value. */
const plainId = /^[A-Za-z0-9_-]{1,128}$/;
/** The status logged for a client that hung up mid-body (as app.ts CLIENT_CLOSED_REQUEST). */
const CLIENT_CLOSED = 499;
const utf8 = new TextDecoder();

/** An answer before it is written: status, its own headers (lower-case names), body. */
interface Answer {
  status: number;
  own: [string, string][];
  body: string;
}

/** A request taken by the fast path, as `answer` reports it. */
type Taken = Parameters<typeof answer>[2];

export interface FastWriteDeps extends AdmitDeps {
  service: SequenceService;
  /** Where Idempotency-Key claims and answers are kept (as for the idempotency middleware). */
  store: Pick<Store, "claimIdempotencyKey" | "releaseIdempotencyKey" | "completeIdempotencyKey">;
  idempotencyTtlMs: number;
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
  const schema = body.schema;
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
    if (headers["transfer-encoding"] !== undefined) return false;
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
    const key = params["Idempotency-Key"] as string | undefined;
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
        const a =
          key === undefined
            ? await decide(r, bytes, params["If-Match"] as string | undefined, undefined)
            : await keyed(r, bytes, params["If-Match"] as string | undefined, key);
        answer(deps, res, r, a.status, a.own, a.body, expose);
      })
      .catch((error: unknown) => {
        // Only a fault of this code lands here (every answer above is written once): never a
        // hanging client or an unhandled rejection.
        deps.log({ level: "error", msg: "unhandled error", request_id: taken.requestId, error: String(error) });
        if (!res.headersSent) res.destroy();
      });
    return true;
  };

  /**
   * A keyed request, as the idempotency middleware (idempotency.ts) runs it around the route: the
   * claim of method, path and body; a replay, a 409 (still running) or a 422 (another request);
   * else the request, whose answer is then stored (or, for a 5xx or a refusal with Retry-After,
   * the key released so a retry runs again).
   */
  async function keyed(r: Taken, bytes: Buffer, ifMatch: string | undefined, key: string): Promise<Answer> {
    const claim: IdempotencyClaim = {
      project_id: r.admitted.principal.projectId,
      key,
      fingerprint: requestFingerprint("PATCH", r.path, utf8.decode(bytes)),
    };
    let found: IdempotencyLookup;
    try {
      found = await deps.store.claimIdempotencyKey(claim, deps.idempotencyTtlMs);
    } catch (error) {
      return failed(r, error);
    }
    if (found.state === "done") {
      const own = Object.entries(found.response.headers).map(([n, v]): [string, string] => [n.toLowerCase(), v]);
      own.push(["idempotency-replayed", "true"]);
      return { status: found.response.status, own, body: found.response.body };
    }
    if (found.state === "in_progress" || found.state === "mismatch") {
      const { status, code, title, detail } = keyRefusals[found.state];
      const retry: [string, string][] = found.state === "in_progress" ? [["retry-after", "1"]] : [];
      return problemAnswer(r, status, code, title, detail, [], retry);
    }
    const a = await decide(r, bytes, ifMatch, claim);
    try {
      if (
        releasesKey(
          a.status,
          a.own.some(([name]) => name === "retry-after"),
        )
      ) {
        await deps.store.releaseIdempotencyKey(claim.project_id, key);
      } else {
        const headers: Record<string, string> = {};
        for (const [name, value] of a.own) if (replayedHeaders.includes(name)) headers[name] = value;
        await deps.store.completeIdempotencyKey(claim.project_id, key, { status: a.status, headers, body: a.body });
      }
    } catch (error) {
      return failed(r, error);
    }
    return a;
  }

  /** The operation itself: the body parsed and validated, then the service's change. */
  async function decide(
    r: Taken,
    bytes: Buffer,
    ifMatch: string | undefined,
    claim: IdempotencyClaim | undefined,
  ): Promise<Answer> {
    const refuse = (
      status: 400 | 413 | 422,
      code: keyof FastWriteDeps["titles"],
      detail: string,
      errors: FieldError[],
    ) => problemAnswer(r, status, code, deps.titles[code], detail, errors);
    const parsed = parseJson(bytes, limits);
    if (!parsed.ok)
      return refuse(parsed.problem.status, parsed.problem.code, parsed.problem.detail, parsed.problem.errors);
    const errors = deps.validator.validate(schema, parsed.value);
    if (errors.length > 0) {
      return refuse(422, "VALIDATION_FAILED", `The request body has ${countText(errors.length)}.`, errors);
    }
    const caller = { projectId: r.admitted.principal.projectId };
    const options = { ifMatch, ...(claim ? { idempotency: { ...claim, respond: idempotentAnswer(200) } } : {}) };
    let view: SequenceView;
    try {
      view = await deps.service.update(
        caller,
        r.path.slice(PREFIX.length),
        parsed.value as SequencePatchInput,
        options,
      );
    } catch (error) {
      return failed(r, error);
    }
    const own: [string, string][] = [
      ["content-type", "application/json"],
      ["etag", etagOf(view.version)],
    ];
    return { status: 200, own, body: JSON.stringify(view) };
  }

  /** The answer to an error, as app.ts's error handler gives it (an unexpected one logged, 500). */
  function failed(r: Taken, error: unknown): Answer {
    const known = errorAnswer(error);
    if (known === undefined) {
      deps.log({ level: "error", msg: "unhandled error", request_id: r.taken.requestId, error: String(error) });
      const detail = "Nothing was changed. Report the request id.";
      return problemAnswer(r, 500, "INTERNAL_ERROR", "Internal server error", detail, []);
    }
    const extra = Object.entries(known.headers).map(([n, v]): [string, string] => [n.toLowerCase(), v]);
    return problemAnswer(r, known.status, known.code, known.title, known.detail, known.fields, extra);
  }

  function problemAnswer(
    r: Taken,
    status: number,
    code: string,
    title: string,
    detail: string,
    errors: readonly FieldError[],
    extra: [string, string][] = [],
  ): Answer {
    const doc = problemBody({ status, code, title, detail, instance: r.path, requestId: r.taken.requestId, errors });
    return { status, own: [["content-type", "application/problem+json"], ...extra], body: JSON.stringify(doc) };
  }
}
