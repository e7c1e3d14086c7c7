// The skeleton's run: every scenario folder's generated Hono skeleton, mounted in one app with
// data-driven handlers (src/skeleton.ts), exercised by `tsp-spector knock`; knock's output is
// the verdict.
import { deriveCalls } from "./derive.ts";
import { base, prepare, type ScenarioResult } from "./run.ts";
import { knock, startSkeleton } from "./skeleton.ts";

export async function runSkeleton(filter?: (id: string) => boolean): Promise<ScenarioResult[]> {
  const { results, prepared } = await prepare("hono", filter);
  const app = await startSkeleton();
  const served: typeof prepared = [];
  try {
    const byDir = new Map<string, typeof prepared>();
    for (const p of prepared) {
      const derived = deriveCalls(p.scenario, p.ir, { baseUrl: app.baseUrl });
      if (!derived.ok) {
        results.push(base(p.scenario, p.scenario.dir, "unmapped", derived.reason));
        continue;
      }
      served.push(p);
      const list = byDir.get(p.sdk) ?? [];
      list.push(p);
      byDir.set(p.sdk, list);
    }
    for (const [dir, list] of byDir) {
      const ir = list[0]?.ir;
      if (!ir) continue;
      const scenarios = list.map((p) => {
        const derived = deriveCalls(p.scenario, p.ir, { baseUrl: app.baseUrl });
        return { scenario: p.scenario.name, dir, ir, calls: derived.ok ? derived.calls : [] };
      });
      await app.mount(dir, ir, scenarios);
    }
    const verdicts = await knock(app.baseUrl);
    for (const p of served) {
      const v = verdicts.get(p.scenario.name);
      const status = v?.pass ? "pass" : "fail";
      const reason = v ? (v.message ?? "") : "knock ran no request of this scenario";
      results.push(base(p.scenario, p.scenario.dir, status, v?.pass ? "" : reason));
    }
  } finally {
    await app.close();
  }
  return results.sort((a, b) => a.scenario.localeCompare(b.scenario));
}
