// The Rust SDKs: one cargo workspace under .work/rust with every scenario folder's generated crate
// and one runner crate that depends on all of them, with a shared target dir (a warm rebuild only
// recompiles what changed). Each scenario's calls are rendered as an async function in a module of
// its own; argument values are JSON turned into the SDK's own types by serde, with the type
// inferred from the method's signature (`serde_json::from_value(json!(..))`), so the renderer
// needs no type mapping. A scenario whose module does not compile is taken out (and reported with
// rustc's message) and the runner rebuilt, so one bad scenario does not sink the rest.
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import type { ApiIR, Operation, Parameter } from "@tka/codegen/src/api.ts";
import { pascalCase } from "@tka/codegen/src/naming/words.ts";
import { methodParameters, onRequest, requiredArgType } from "@tka/codegen/src/targets/rust/parameters.ts";
import { RustTypes } from "@tka/codegen/src/targets/rust/types.ts";
import type { Call } from "./derive.ts";
import { repoRoot, workRoot } from "./paths.ts";

const run = promisify(execFile);
// The workspace root holds the generated crates (.work/gen/rust/<folder>) and the runner.
export const rustRoot = join(workRoot, "gen", "rust");
const bare = (name: string) => name.replace(/^r#/, "");

export interface RustScenario {
  scenario: string;
  crateDir: string;
  crate: string;
  ir: ApiIR;
  calls: Call[];
}

/** Renders the workspace and builds the runner; returns the scenarios that did not compile. */
export async function buildRust(scenarios: RustScenario[]): Promise<Map<string, string>> {
  // A module that did not compile last time and renders the same now is left out at once (its
  // reason kept): a warm run builds once instead of once per round of exclusions.
  const cacheFile = join(rustRoot, "not-compiled.json");
  const cache = existsSync(cacheFile)
    ? (JSON.parse(readFileSync(cacheFile, "utf8")) as Record<string, { text: string; reason: string }>)
    : {};
  const failed = new Map<string, string>();
  let current = scenarios.filter((s) => {
    const known = cache[s.scenario];
    if (known && known.text === renderScenario(s)) {
      failed.set(s.scenario, known.reason);
      return false;
    }
    return true;
  });
  const save = () => {
    const next: Record<string, { text: string; reason: string }> = {};
    for (const s of scenarios) {
      const reason = failed.get(s.scenario);
      if (reason) next[s.scenario] = { text: renderScenario(s), reason };
    }
    writeFileSync(cacheFile, JSON.stringify(next));
  };
  for (let attempt = 0; attempt < 6; attempt++) {
    render(current);
    try {
      await run("cargo", ["build", "--quiet", "--message-format=short", "-p", "conf-runner"], {
        cwd: rustRoot,
        maxBuffer: 256 * 1024 * 1024,
        env: { ...process.env, CARGO_TARGET_DIR: join(rustRoot, "target"), RUSTFLAGS: "-A warnings" },
      });
      save();
      return failed;
    } catch (error) {
      const stderr = String((error as { stderr?: string }).stderr ?? error);
      const bad = new Set<string>();
      for (const m of stderr.matchAll(/runner\/src\/(m_\w+)\.rs:\d+:\d+: error[^\n]*/g)) {
        const s = current.find((s) => moduleName(s.scenario) === m[1]);
        if (!s) continue;
        bad.add(s.scenario);
        if (!failed.has(s.scenario)) failed.set(s.scenario, `does not compile: ${m[0]}`);
      }
      if (bad.size === 0) throw new Error(`cargo build failed outside the scenario modules:\n${stderr.slice(0, 4000)}`);
      current = current.filter((s) => !bad.has(s.scenario));
    }
  }
  throw new Error("the Rust runner still does not compile after 6 rounds");
}

function moduleName(scenario: string): string {
  return `m_${scenario.replaceAll(/[^A-Za-z0-9]+/g, "_").toLowerCase()}`;
}

/** Writes a file only when its content changed: cargo rebuilds by modification time. */
function put(file: string, content: string): void {
  if (existsSync(file) && readFileSync(file, "utf8") === content) return;
  writeFileSync(file, content);
}

/** Runs the runner against the mock; writes the same results shape as the other drivers. */
export async function runRust(baseUrl: string, results: string): Promise<void> {
  await run(join(rustRoot, "target", "debug", "conf-runner"), [baseUrl, results], {
    cwd: rustRoot,
    maxBuffer: 64 * 1024 * 1024,
    timeout: 20 * 60_000,
  });
}

function render(scenarios: RustScenario[]): void {
  const runner = join(rustRoot, "runner");
  mkdirSync(join(runner, "src"), { recursive: true });
  const keep = new Set(["main.rs", ...scenarios.map((s) => `${moduleName(s.scenario)}.rs`)]);
  for (const f of readdirSync(join(runner, "src"))) if (!keep.has(f)) rmSync(join(runner, "src", f));
  const crates = [...new Map(scenarios.map((s) => [s.crate, s.crateDir])).entries()];
  put(
    join(rustRoot, "Cargo.toml"),
    [
      "# Written by tools/conformance (src/rust.ts): the generated SDK crates and the runner.",
      "[workspace]",
      'resolver = "2"',
      `members = [${["runner", ...crates.map(([, dir]) => relative(rustRoot, dir))].map((m) => JSON.stringify(m)).join(", ")}]`,
      "",
    ].join("\n"),
  );
  // The runtime harness's lock pins the same dependency versions the SDK tests use.
  const lock = join(rustRoot, "Cargo.lock");
  if (!existsSync(lock)) copyFileSync(join(repoRoot, "templates/rust/Cargo.lock"), lock);
  put(
    join(runner, "Cargo.toml"),
    [
      "[package]",
      'name = "conf-runner"',
      'version = "0.0.0"',
      'edition = "2021"',
      "publish = false",
      "",
      "[dependencies]",
      'serde = "1"',
      'serde_json = "1"',
      'tokio = { version = "1", features = ["macros", "rt-multi-thread"] }',
      ...crates.map(([crate, dir]) => `${crate} = { path = ${JSON.stringify(relative(runner, dir))} }`),
      "",
    ].join("\n"),
  );
  const mods = scenarios.map((s) => `mod ${moduleName(s.scenario)};`);
  // Each scenario in a task of its own: a panic (an argument serde cannot convert) is that
  // scenario's result, not the end of the run.
  const runs = scenarios.map(
    (s) =>
      `    results.insert(${JSON.stringify(s.scenario)}.to_string(), outcome(tokio::spawn(${moduleName(s.scenario)}::run(base.clone())).await));`,
  );
  put(
    join(runner, "src", "main.rs"),
    [
      "// Written by tools/conformance (src/rust.ts). Usage: conf-runner <base URL> <results.json>",
      ...mods,
      "",
      "fn outcome(r: Result<Vec<serde_json::Value>, tokio::task::JoinError>) -> serde_json::Value {",
      "    match r {",
      "        Ok(calls) => serde_json::Value::from(calls),",
      '        Err(e) => serde_json::json!([{ "error": format!("the scenario panicked: {e}") }]),',
      "    }",
      "}",
      "",
      "#[tokio::main]",
      "async fn main() {",
      "    let args: Vec<String> = std::env::args().collect();",
      "    let base = args[1].clone();",
      "    let mut results = serde_json::Map::new();",
      ...runs,
      "    std::fs::write(&args[2], serde_json::Value::Object(results).to_string()).unwrap();",
      "}",
      "",
    ].join("\n"),
  );
  for (const s of scenarios) put(join(runner, "src", `${moduleName(s.scenario)}.rs`), renderScenario(s));
}

function renderScenario(s: RustScenario): string {
  const lib = s.crate.replaceAll("-", "_");
  const lines = [
    `// ${s.scenario}`,
    "#![allow(unused_imports, clippy::all)]",
    "use serde_json::json;",
    "",
    "fn v(text: &str) -> serde_json::Value {",
    "    serde_json::from_str(text).unwrap()",
    "}",
    "",
    "pub async fn run(base: String) -> Vec<serde_json::Value> {",
    "    let mut out = Vec::new();",
  ];
  for (const call of s.calls) {
    const op = s.ir.operations.find((o) => o.id === call.operationId) as Operation;
    const group = s.ir.groups.find((g) => g.name === op.group);
    const accessor = group?.names?.rust?.property ?? op.group;
    const className = group?.names?.rust?.className ?? pascalCase(op.group);
    const module = group?.names?.rust?.module ?? op.group;
    const method = op.names?.rust?.method ?? op.id;
    const args: string[] = [];
    for (const p of op.parameters.filter((p) => p.in === "path")) {
      const value = call.pathParams.find((v) => v.name === p.name)?.value ?? "";
      args.push(isString(s.ir, p) ? JSON.stringify(value) : `serde_json::from_value(v(${rustJson(value)})).unwrap()`);
    }
    if (call.body) {
      const b = call.body;
      const value =
        b.kind === "binary"
          ? `&[${[...Buffer.from(String(b.value), "base64")].join(", ")}u8][..]`
          : b.kind === "text"
            ? JSON.stringify(b.value)
            : `&serde_json::from_value(v(${rustJson(b.value)})).unwrap()`;
      args.push(op.requestBody?.required ? value : `Some(${value})`);
    } else if (op.requestBody) {
      args.push(op.requestBody.required ? "&Default::default()" : "None");
    }
    // Required query, header and cookie parameters are arguments (typed as the target types them),
    // then a required Last-Event-ID and the body; the optional ones go in the params struct.
    const types = new RustTypes(s.ir);
    const params = methodParameters(types, op);
    const values = { ...call.query, ...call.headers };
    const json = (p: Parameter) => `v(${rustJson(values[p.name])})`;
    const required: string[] = [];
    for (const p of params.filter((p) => p.required)) {
      const arg = requiredArgType(types, p, types.type(p.type, "models::"));
      required.push(
        arg === "&str" || arg.startsWith("impl Into<")
          ? JSON.stringify(String(values[p.name] ?? ""))
          : arg.startsWith("&[")
            ? `&serde_json::from_value::<Vec<_>>(${json(p)}).unwrap()[..]`
            : `${arg.startsWith("&") ? "&" : ""}serde_json::from_value(${json(p)}).unwrap()`,
      );
    }
    const lastEventId = op.streaming ? op.parameters.find((p) => p.role === "last-event-id" && p.required) : undefined;
    if (lastEventId) required.push(JSON.stringify(String(values[lastEventId.name] ?? "")));
    args.splice(op.parameters.filter((p) => p.in === "path").length, 0, ...required);
    const optional = params.filter((p) => !p.required);
    let setParams = "";
    if (optional.length > 0) {
      const struct = `${bare(className)}${pascalCase(bare(method))}Params`;
      const rendered = optional.map((p) => {
        const name = p.names?.rust?.param ?? p.name;
        return p.name in values
          ? `${name}: serde_json::from_value(${json(p)}).unwrap()`
          : `${name}: Default::default()`;
      });
      setParams = `.params(${lib}::resources::${module}::${struct} { ${rendered.join(", ")} })`;
    }
    const builder = [
      `${lib}::ConfClient::builder()`,
      `.read_env(false)`,
      `.base_url(format!("{}{}", base, ${JSON.stringify(call.baseUrl ? new URL(call.baseUrl).pathname : "")}))`,
      ".max_retries(0)",
      ...(call.credentials?.apiKey ? [`.api_key(${JSON.stringify(call.credentials.apiKey)})`] : []),
      ...(call.credentials?.bearerToken ? [`.bearer_token(${JSON.stringify(call.credentials.bearerToken)})`] : []),
      ".build()",
      ".unwrap()",
    ].join("");
    lines.push(
      "    {",
      `        let client = ${builder};`,
      `        let r = client.${accessor}().${method}(${args.join(", ")})${setParams}${ifMatch(types, op, call)}.with_response().await;`,
      "        out.push(match r {",
      '            Ok(r) => json!({ "status": r.status.as_u16(), "value": serde_json::to_value(&r.data).unwrap_or(serde_json::Value::Null) }),',
      '            Err(e) => json!({ "status": e.status().map(|s| s.as_u16()), "error": e.to_string() }),',
      "        });",
      "    }",
    );
  }
  lines.push("    out", "}", "");
  return lines.join("\n");
}

function isString(ir: ApiIR, p: Parameter): boolean {
  let t = p.type;
  for (let i = 0; i < 10 && t.kind === "model"; i++) {
    const m = ir.models.find((m) => m.name === (t as { name: string }).name);
    if (m?.kind !== "alias") return false;
    t = (m as { type: typeof t }).type;
  }
  return t.kind === "primitive" && t.type === "string";
}

/** An optional If-Match of a plain call is set on the request (`.if_match(..)`), as the target does. */
function ifMatch(types: RustTypes, op: Operation, call: Call): string {
  const p = op.parameters.find((p) => onRequest(types, op, p));
  if (!p || !(p.name in call.headers)) return "";
  return `.if_match(${JSON.stringify(String(call.headers[p.name]))})`;
}

/** JSON text as a Rust raw string literal (parsed at run time: no integer-literal typing). */
function rustJson(value: unknown): string {
  const text = JSON.stringify(value ?? null);
  let hashes = "#";
  while (text.includes(`"${hashes}`)) hashes += "#";
  return `r${hashes}"${text}"${hashes}`;
}
