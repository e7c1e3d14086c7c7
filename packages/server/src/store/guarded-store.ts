// The store behind the circuit breaker: every call goes through it, so a database fault (and only
// a fault, see resilience/database-faults.ts) opens it and answers 503 from that call on; each
// fault is also counted in the metrics. A statement the database cancelled after its time bound is
// no fault, but still a 503 for that call (see isStatementTimeout).
import { type CircuitBreaker, DatabaseUnavailableError } from "../resilience/circuit-breaker.ts";
import { isDatabaseFault, isStatementTimeout } from "../resilience/database-faults.ts";
import type { Store } from "./types.ts";

export function guardedStore(store: Store, breaker: CircuitBreaker, onFault: (error: unknown) => void): Store {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== "function" || property === "close") return value;
      return (...args: unknown[]) =>
        breaker.call(async () => {
          try {
            return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          } catch (error) {
            if (isDatabaseFault(error)) onFault(error);
            if (isStatementTimeout(error)) throw new DatabaseUnavailableError(1, { cause: error });
            throw error;
          }
        });
    },
  });
}
