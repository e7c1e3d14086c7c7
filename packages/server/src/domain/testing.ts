// Deterministic ids and time for domain tests.
import type { PlanContext } from "./planners.ts";
import type { Clock } from "./sequence.ts";

export function testContext(): PlanContext & Clock {
  let n = 0;
  let t = Date.UTC(2026, 10, 22, 12, 0, 0);
  return {
    newId: (kind) => `${kind}_${String(++n).padStart(6, "0")}`,
    now: () => {
      t += 1000;
      return new Date(t).toISOString();
    },
  };
}
