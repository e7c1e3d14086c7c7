// The store behind the circuit breaker: database faults count towards opening it, outcomes the
// client caused (a lost version race, a resume from pruned events) do not, and every fault is
// counted in the metrics.
import type { CircuitBreaker } from "../resilience/circuit-breaker.ts";
import { EventsPrunedError, type Store, VersionConflictError } from "./types.ts";

export function isDatabaseFault(error: unknown): boolean {
  return !(error instanceof VersionConflictError || error instanceof EventsPrunedError);
}

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
            throw error;
          }
        });
    },
  });
}
