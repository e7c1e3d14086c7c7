import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { RequestIdEnv } from "./request-id.ts";

/** Answers with an RFC 9457 problem document in the contract's Problem shape. */
/** What `problem` needs of a context: any env whose variables include the request id. */
export type ProblemContext = Pick<Context<RequestIdEnv>, "body" | "req"> & { get(key: "requestId"): string };

export function problem(
  c: ProblemContext,
  status: ContentfulStatusCode,
  code: string,
  title: string,
  detail?: string,
  errors: readonly { field: string; code: string; message: string }[] = [],
): Response {
  const body = {
    type: `urn:tka:problem:${code.toLowerCase().replaceAll("_", "-")}`,
    title,
    status,
    ...(detail === undefined ? {} : { detail }),
    instance: c.req.path,
    code,
    request_id: c.get("requestId"),
    timestamp: new Date().toISOString(),
    ...(errors.length > 0 ? { errors } : {}),
  };
  return c.body(JSON.stringify(body), status, { "Content-Type": "application/problem+json" });
}
