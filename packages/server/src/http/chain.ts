// Several middlewares run as one, composed once at start (Hono's `every` composes its list anew
// on every request). Same rules as Hono's composition: each runs around the rest; a Response a
// middleware returns is the answer (the rest do not run); errors propagate to the caller.
import type { Env, MiddlewareHandler } from "hono";

export function chain<E extends Env>(...middlewares: MiddlewareHandler<E>[]): MiddlewareHandler<E> {
  const last = middlewares.at(-1);
  if (last === undefined) return (_c, next) => next();
  return middlewares.slice(0, -1).reduceRight<MiddlewareHandler<E>>(
    (rest, middleware) => (c, next) =>
      middleware(c, async () => {
        const answer = await rest(c, next);
        if (answer instanceof Response && !c.finalized) c.res = answer;
      }),
    last,
  );
}
