// Leaving refused parts out of an IR: the operations and models named, every model and operation
// that uses a left-out model (transitively), and the inline models nothing kept uses any more.
// Each left-out operation and component model is listed on `skipped` with the refusal behind it.
import type { Refusal } from "../errors.ts";
import type { ApiIR, Model, Operation, SkippedItem, TypeRef } from "./types.ts";

export interface Removals {
  /** Operation id -> why. */
  operations: Map<string, Refusal>;
  /** Model name -> why. */
  models: Map<string, Refusal>;
}

/** The model names a type reference uses directly (through arrays and maps). */
export function refsOf(ref: TypeRef, out: string[] = []): string[] {
  if (ref.kind === "model") out.push(ref.name);
  else if (ref.kind === "array") refsOf(ref.items, out);
  else if (ref.kind === "map") refsOf(ref.values, out);
  return out;
}

/** The models a model uses (properties, bases, variants, the aliased type). */
export function modelRefs(m: Model): string[] {
  const out: string[] = [];
  if (m.kind === "object") {
    for (const p of m.properties) refsOf(p.type, out);
    if (m.additionalProperties !== null && m.additionalProperties !== false) refsOf(m.additionalProperties, out);
    out.push(...m.bases);
  } else if (m.kind === "union") {
    for (const v of m.variants) refsOf(v.type, out);
  } else if (m.kind === "alias") {
    refsOf(m.type, out);
  }
  return out;
}

/** The models an operation uses (parameters, bodies, answers, headers, events, pages). */
export function operationRefs(op: Operation): string[] {
  const out: string[] = [];
  for (const p of op.parameters) refsOf(p.type, out);
  for (const c of op.requestBody?.contents ?? []) refsOf(c.type, out);
  for (const r of op.responses) {
    for (const h of r.headers) refsOf(h.type, out);
    for (const c of r.contents) {
      if (c.type !== undefined) refsOf(c.type, out);
      for (const e of c.stream?.events ?? []) refsOf(e.type, out);
    }
  }
  if (op.pagination) refsOf(op.pagination.itemType, out);
  return out;
}

export function operationLabel(op: Pick<Operation, "method" | "path" | "id">): string {
  return `${op.method.toUpperCase()} ${op.path} (${op.id})`;
}

/**
 * A copy of `ir` without the given operations and models and everything that depends on them.
 * Returns the IR unchanged (the same object) when there is nothing to remove.
 */
export function pruneIR(ir: ApiIR, removals: Removals): ApiIR {
  if (removals.operations.size === 0 && removals.models.size === 0) return ir;
  const skipped: SkippedItem[] = [];
  const byName = new Map(ir.models.map((m) => [m.name, m]));
  // Why each removed model went: its own refusal, or the one of a model it uses.
  const gone = new Map<string, Refusal>(removals.models);
  const missing = (name: string) => gone.has(name) || !byName.has(name);
  const cause = (name: string): Refusal =>
    gone.get(name) ?? { file: "", pointer: "", reason: `model ${name} could not be generated` };
  for (let changed = true; changed; ) {
    changed = false;
    for (const m of ir.models) {
      if (gone.has(m.name)) continue;
      const bad = modelRefs(m).find(missing);
      if (bad !== undefined) {
        gone.set(m.name, cause(bad));
        changed = true;
      }
    }
  }
  for (const m of ir.models) {
    if (!gone.has(m.name) || m.origin !== "component") continue;
    skipped.push({ kind: "model", name: m.name, label: m.name, because: gone.get(m.name) as Refusal });
  }
  const droppedOps = new Map<string, Refusal>(removals.operations);
  for (const op of ir.operations) {
    if (droppedOps.has(op.id)) continue;
    const bad = operationRefs(op).find(missing);
    if (bad !== undefined) droppedOps.set(op.id, cause(bad));
  }
  for (const op of ir.operations) {
    const why = droppedOps.get(op.id);
    if (why !== undefined) skipped.push({ kind: "operation", name: op.id, label: operationLabel(op), because: why });
  }
  const operations = ir.operations.filter((o) => !droppedOps.has(o.id));
  const channels = ir.channels.filter((c) => !droppedOps.has(c.id));

  // Inline models only kept operations, channels or component models reach stay.
  const kept = ir.models.filter((m) => !gone.has(m.name));
  const keptByName = new Map(kept.map((m) => [m.name, m]));
  const reached = new Set<string>();
  const visit = (name: string): void => {
    if (reached.has(name)) return;
    const m = keptByName.get(name);
    if (m === undefined) return;
    reached.add(name);
    for (const r of modelRefs(m)) visit(r);
    if (m.kind === "object" && m.discriminator) for (const e of m.discriminator.mapping) visit(e.model);
  };
  for (const m of kept) if (m.origin === "component") visit(m.name);
  for (const op of operations) for (const r of operationRefs(op)) visit(r);
  for (const c of channels) for (const r of [...refsOf(c.clientMessage), ...refsOf(c.serverMessage)]) visit(r);
  const webhooks = ir.webhooks.filter((w) => w.payload === null || !refsOf(w.payload).some(missing));
  for (const w of webhooks) if (w.payload !== null) for (const r of refsOf(w.payload)) visit(r);
  const models = kept
    .filter((m) => reached.has(m.name))
    .map((m) => {
      // Mappings of a base discriminator may name subtypes that are gone.
      if (m.kind !== "object" || !m.discriminator) return m;
      const mapping = m.discriminator.mapping.filter((e) => reached.has(e.model));
      return mapping.length === m.discriminator.mapping.length
        ? m
        : { ...m, discriminator: { ...m.discriminator, mapping } };
    });
  const opIds = new Set(operations.map((o) => o.id));
  const groups = ir.groups
    .map((g) => ({ ...g, operations: g.operations.filter((id) => opIds.has(id)) }))
    .filter((g) => g.operations.length > 0);
  return { ...ir, operations, channels, webhooks, models, groups, skipped: [...ir.skipped, ...skipped] };
}
