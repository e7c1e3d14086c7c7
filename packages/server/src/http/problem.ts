import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { RequestIdEnv } from "./request-id.ts";

/** What `problem` needs of a context: any env whose variables include the request id. */
export type ProblemContext = Pick<Context<RequestIdEnv>, "body" | "req"> & { get(key: "requestId"): string };

export interface ProblemFields {
  status: number;
  code: string;
  title: string;
  detail?: string | undefined;
  instance: string;
  requestId: string;
  errors?: readonly { field: string; code: string; message: string }[] | undefined;
}

/** An RFC 9457 problem document in the contract's Problem shape. */
export function problemBody(p: ProblemFields): Record<string, unknown> {
  return {
    type: `urn:tka:problem:${p.code.toLowerCase().replaceAll("_", "-")}`,
    title: p.title,
    status: p.status,
    ...(p.detail === undefined ? {} : { detail: p.detail }),
    instance: p.instance,
    code: p.code,
    request_id: p.requestId,
    timestamp: new Date().toISOString(),
    ...(p.errors !== undefined && p.errors.length > 0 ? { errors: p.errors } : {}),
  };
}

/** Answers with a problem document. */
export function problem(
  c: ProblemContext,
  status: ContentfulStatusCode,
  code: string,
  title: string,
  detail?: string,
  errors: readonly { field: string; code: string; message: string }[] = [],
): Response {
  const body = problemBody({
    status,
    code,
    title,
    detail,
    instance: c.req.path,
    requestId: c.get("requestId"),
    errors,
  });
  return c.body(JSON.stringify(body), status, { "Content-Type": "application/problem+json" });
}
