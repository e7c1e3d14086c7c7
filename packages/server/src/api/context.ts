// What every handler can read from the request context, and the helpers they share.
import type { Context } from "hono";
import type { AuthEnv } from "../http/auth.ts";
import type { IdempotencyEnv } from "../http/idempotency.ts";
import { etagOf } from "../service/if-match.ts";
import type { Caller, MutationOptions } from "../service/sequences.ts";
import type { IdempotentResponse } from "../store/types.ts";

export type AppEnv = AuthEnv & IdempotencyEnv;
export type AppContext = Context<AppEnv>;

export function callerOf(c: AppContext): Caller {
  return { projectId: c.get("principal").projectId };
}

/**
 * Mutation options from the request: its If-Match, and its idempotency claim with the answer to
 * store in the same transaction (status and ETag as the handler will answer).
 */
export function mutationOptions(c: AppContext, ifMatch: string | undefined, status: number): MutationOptions {
  const claim = c.get("idempotency");
  return { ifMatch, ...(claim ? { idempotency: { ...claim, respond: idempotentAnswer(status) } } : {}) };
}

/** The answer stored with a keyed mutation's commit: status, Content-Type, ETag and the body's JSON. */
export function idempotentAnswer(status: number): (body: unknown) => IdempotentResponse {
  return (body) => {
    const version = (body as { version?: unknown; sequence?: { version?: unknown } | null }).version;
    return {
      status,
      headers: {
        "content-type": "application/json",
        ...(typeof version === "number" ? { etag: etagOf(version) } : {}),
      },
      body: JSON.stringify(body),
    };
  };
}

/** A JSON answer encoded once (UTF-8 bytes), with its headers, for answers sent many times. */
export interface SerializedAnswer {
  json: Uint8Array<ArrayBuffer>;
  headers: Record<string, string>;
}

export function serialize(body: unknown, headers: Record<string, string>): SerializedAnswer {
  return { json: Buffer.from(JSON.stringify(body)), headers };
}

/**
 * Sends an answer already serialised. The generated runtime passes a Response through as is, so
 * this is typed as the operation's declared result, which it is byte for byte: `json` is the
 * JSON of that result's body, sent with the same Content-Type and headers the runtime would set.
 */
export function serialized<R>(c: AppContext, status: 200, answer: SerializedAnswer): R {
  return c.body(answer.json, status, { ...answer.headers, "Content-Type": "application/json" }) as unknown as R;
}

/** A sequence answer: the body and its version as a strong ETag. */
export function withEtag<S extends number, B extends { version: number }>(status: S, body: B) {
  return { status, body, headers: { ETag: etagOf(body.version) } };
}
