/**
 * Reads an environment variable without assuming Node: works in Node, Deno, Bun, edge runtimes
 * and browsers (where it returns undefined). Empty and whitespace-only values count as unset.
 */
export function readEnv(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const g = globalThis as {
    process?: { env?: Record<string, string | undefined> };
    Deno?: { env?: { get?: (key: string) => string | undefined } };
  };
  let value: string | undefined;
  try {
    if (g.process?.env !== undefined) {
      value = g.process.env[name];
    } else if (typeof g.Deno?.env?.get === "function") {
      value = g.Deno.env.get(name);
    }
  } catch {
    // Deno without --allow-env throws; treat as unset.
    return undefined;
  }
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
