import { createMiddleware } from "hono/factory";

/** A client-sent id is echoed when it is 1-128 visible ASCII characters; otherwise one is made. */
const acceptable = /^[\x21-\x7E]{1,128}$/;

export type RequestIdEnv = { Variables: { requestId: string } };

/** The id of a request: the one it sent when acceptable, else a new one. */
export function requestIdOf(sent: string | undefined): string {
  return sent !== undefined && acceptable.test(sent) ? sent : `req_${crypto.randomUUID().replaceAll("-", "")}`;
}

/** Gives every request an id, exposes it to handlers and sends it back as X-Request-Id. */
export const requestId = createMiddleware<RequestIdEnv>(async (c, next) => {
  const id = requestIdOf(c.req.header("X-Request-Id"));
  c.set("requestId", id);
  await next();
  // On the final response's headers: c.header() after the handler would copy the response.
  c.res.headers.set("X-Request-Id", id);
});
