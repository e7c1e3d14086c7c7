// Runs planned calls through generated TypeScript SDKs: `node drivers/typescript.ts <plan.json>
// <results.json>`. The plan lists, per scenario, the SDK's folder and its calls; every call's
// status and decoded value (or error) is written to the results for the orchestrator to compare.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

interface Plan {
  baseUrl: string;
  scenarios: {
    scenario: string;
    sdk: string;
    calls: {
      group: string;
      method: string;
      args: unknown[];
      params: Record<string, unknown>;
      credentials?: Record<string, string>;
      baseUrl?: string;
    }[];
  }[];
}
const [planFile, resultsFile] = process.argv.slice(2) as [string, string];
const plan = JSON.parse(readFileSync(planFile, "utf8")) as Plan;
const results: Record<string, { status?: number; value?: unknown; error?: string }[]> = {};

for (const s of plan.scenarios) {
  const out: { status?: number; value?: unknown; error?: string }[] = [];
  results[s.scenario] = out;
  let Client: new (
    options: object,
  ) => Record<
    string,
    Record<string, (...a: unknown[]) => { withResponse(): Promise<{ data: unknown; response: Response }> }>
  >;
  try {
    ({ Client } = await import(pathToFileURL(join(s.sdk, "src/index.ts")).href));
  } catch (error) {
    out.push({ error: `the SDK does not load: ${String(error)}` });
    continue;
  }
  for (const c of s.calls) {
    try {
      const client = new Client({
        baseURL: c.baseUrl ?? plan.baseUrl,
        maxRetries: 0,
        timeout: 30_000,
        ...c.credentials,
      });
      const args = c.args.map((a) =>
        a && typeof a === "object" && "$binary" in a ? new Uint8Array(Buffer.from(String(a.$binary), "base64")) : a,
      );
      if (Object.keys(c.params).length > 0) args.push(c.params);
      const fn = client[c.group]?.[c.method];
      if (typeof fn !== "function") throw new Error(`no method ${c.group}.${c.method}`);
      const { data, response } = await fn.apply(client[c.group], args).withResponse();
      out.push({ status: response.status, value: encode(data) });
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      out.push(typeof status === "number" ? { status, error: String(error) } : { error: String(error) });
    }
  }
}
writeFileSync(resultsFile, JSON.stringify(results));

function encode(value: unknown): unknown {
  if (value instanceof Uint8Array) return { $binary: Buffer.from(value).toString("base64") };
  return value === undefined ? null : value;
}
