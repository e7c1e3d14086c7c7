// The http-specs scenarios: one folder per service (main.tsp + mockapi.ts, compiled to
// dist/specs/<id>/mockapi.js), each exporting `Scenarios`, a map of scenario name to the mock
// API definitions spector serves (uri, method, the request it expects, the response it gives).
import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { httpSpecsRoot, specsRoot } from "./paths.ts";

export interface ScenarioDir {
  /** Folder under specs/, e.g. "type/array". */
  id: string;
  /** The first segment ("type", "parameters", ...), or two for "type" and "payload". */
  area: string;
  path: string;
}

/** One endpoint of a mock API definition (the parts the pipeline reads). */
export interface MockApi {
  uri: string;
  method: string;
  request?: {
    body?: MockBody;
    headers?: Record<string, unknown>;
    query?: Record<string, unknown>;
    pathParams?: Record<string, unknown>;
  };
  response: { status: number; body?: MockBody; headers?: Record<string, unknown> };
  handler?: unknown;
}
export interface MockBody {
  contentType: string;
  rawContent?: unknown;
  kind?: string;
}
export interface Scenario {
  name: string;
  dir: ScenarioDir;
  passCondition: string;
  apis: MockApi[];
}

export function scenarioDirs(filter?: (id: string) => boolean): ScenarioDir[] {
  const dirs: ScenarioDir[] = [];
  for (const f of readdirSync(specsRoot, { recursive: true, encoding: "utf8" })) {
    if (!f.endsWith("main.tsp")) continue;
    const path = join(specsRoot, f, "..");
    const id = relative(specsRoot, path);
    if (filter && !filter(id)) continue;
    dirs.push({ id, area: areaOf(id), path });
  }
  return dirs.sort((a, b) => a.id.localeCompare(b.id));
}

export function areaOf(id: string): string {
  const parts = id.split("/");
  return parts[0] === "type" || parts[0] === "payload" || parts[0] === "parameters"
    ? parts.slice(0, 2).join("/")
    : (parts[0] as string);
}

export async function loadScenarios(dir: ScenarioDir): Promise<Scenario[]> {
  const file = join(httpSpecsRoot, "dist", "specs", dir.id, "mockapi.js");
  if (!existsSync(file)) return [];
  const mod = (await import(pathToFileURL(file).href)) as {
    Scenarios: Record<string, { passCondition: string; apis: MockApi[] }>;
  };
  return Object.entries(mod.Scenarios)
    .map(([name, s]) => ({ name, dir, passCondition: s.passCondition, apis: s.apis }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
