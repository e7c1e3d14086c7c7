import { randomFillSync } from "node:crypto";
import { createMiddleware } from "hono/factory";

/** A client-sent id is echoed when it is 1-128 visible ASCII characters; otherwise one is made. */
const acceptable = /^[\x21-\x7E]{1,128}$/;

export type RequestIdEnv = { Variables: { requestId: string } };

/** Random bytes for new ids, drawn 4 KiB at a time (one system call per 256 ids). */
const pool = Buffer.alloc(4096);
let used = pool.length;

/** A new id: `req_` and 32 random hex digits (as a UUID's 128 bits without dashes, a tenth of the cost). */
function newRequestId(): string {
  if (used === pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  used += 16;
  return `req_${pool.toString("hex", used - 16, used)}`;
}

/** The id of a request: the one it sent when acceptable, else a new one. */
export function requestIdOf(sent: string | undefined): string {
  return sent !== undefined && acceptable.test(sent) ? sent : newRequestId();
}

/** Gives every request an id, exposes it to handlers and sends it back as X-Request-Id. */
export const requestId = createMiddleware<RequestIdEnv>(async (c, next) => {
  const id = requestIdOf(c.req.header("X-Request-Id"));
  c.set("requestId", id);
  await next();
  // On the final response's headers: c.header() after the handler would copy the response.
  c.res.headers.set("X-Request-Id", id);
});
