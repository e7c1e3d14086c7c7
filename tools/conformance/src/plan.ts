// Renders a call description for one language: the SDK's group and method names and the
// arguments in that language's calling convention (TypeScript: path values, body, one params
// object keyed as the SDK keys it; Python: path values and body positional, query and header
// parameters as keyword arguments). The drivers (drivers/*) execute these plans generically.
import type { ApiIR, Operation, Parameter } from "@tka/codegen/src/api.ts";
import type { Call } from "./derive.ts";

export interface PlannedCall {
  group: string;
  method: string;
  /** Positional arguments; a body is `{ $binary: base64 }` when binary. */
  args: unknown[];
  /** TypeScript: the params object; Python: keyword arguments. */
  params: Record<string, unknown>;
  credentials?: { apiKey?: string; bearerToken?: string };
  baseUrl?: string;
}

export function planCall(ir: ApiIR, call: Call, language: "typescript" | "python"): PlannedCall {
  const op = ir.operations.find((o) => o.id === call.operationId) as Operation;
  const group = ir.groups.find((g) => g.name === op.group);
  const names = (language === "typescript" ? group?.names?.typescript : group?.names?.python) ?? { property: op.group };
  const method = (language === "typescript" ? op.names?.typescript?.method : op.names?.python?.method) ?? op.id;
  const args: unknown[] = call.pathParams.map((p) => p.value);
  if (call.body) args.push(call.body.kind === "binary" ? { $binary: call.body.value } : call.body.value);
  const keys = language === "typescript" ? typescriptKeys(op) : pythonKeys(op);
  const params: Record<string, unknown> = {};
  for (const [location, values] of [
    ["query", call.query],
    ["header", call.headers],
  ] as const) {
    for (const [wire, value] of Object.entries(values)) {
      const p = op.parameters.find((p) => p.in === location && p.name === wire) as Parameter;
      params[keys.get(p) ?? wire] = value;
    }
  }
  return {
    group: names.property,
    method,
    args,
    params,
    ...(call.credentials ? { credentials: call.credentials } : {}),
    ...(call.baseUrl ? { baseUrl: call.baseUrl } : {}),
  };
}

/** The TypeScript target's params keys: query by wire name, headers and cookies in snake_case. */
function typescriptKeys(op: Operation): Map<Parameter, string> {
  const extra = op.parameters.filter((p) => p.in === "query" || p.in === "header" || p.in === "cookie");
  const taken = new Set(extra.filter((p) => p.in === "query").map((p) => p.name));
  const keys = new Map<Parameter, string>();
  for (const p of extra) {
    if (p.in === "query") {
      keys.set(p, p.name);
      continue;
    }
    const base = p.names?.python?.param ?? p.name;
    let key = base;
    for (let i = 2; taken.has(key); i++) key = i === 2 ? `${base}_${p.in}` : `${base}_${p.in}${i}`;
    taken.add(key);
    keys.set(p, key);
  }
  return keys;
}

function pythonKeys(op: Operation): Map<Parameter, string> {
  return new Map(op.parameters.map((p) => [p, p.names?.python?.param ?? p.name]));
}
