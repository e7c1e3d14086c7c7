/**
 * `<sdk>/<version> <runtime>/<runtime-version>` for server-side runtimes; undefined in browsers,
 * which forbid setting User-Agent.
 */
export function userAgent(sdkName: string, sdkVersion: string): string | undefined {
  const runtime = detectRuntime();
  if (runtime === undefined) return undefined;
  return `${sdkName}/${sdkVersion} ${runtime}`;
}

function detectRuntime(): string | undefined {
  const g = globalThis as {
    Deno?: { version?: { deno?: string } };
    Bun?: { version?: string };
    process?: { versions?: { node?: string } };
    EdgeRuntime?: unknown;
    window?: unknown;
    document?: unknown;
    navigator?: { userAgent?: string };
  };
  if (g.Deno?.version?.deno) return `deno/${g.Deno.version.deno}`;
  if (g.Bun?.version) return `bun/${g.Bun.version}`;
  if (typeof g.EdgeRuntime === "string") return "edge/unknown";
  if (g.process?.versions?.node) return `node/${g.process.versions.node}`;
  if (g.window !== undefined || g.document !== undefined) return undefined;
  return "js/unknown";
}
