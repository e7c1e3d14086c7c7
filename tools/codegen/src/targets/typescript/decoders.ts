// Which answers the TypeScript SDK walks when decoding: only those that (transitively) hold a
// discriminated union, whose unknown variants become the union's `Unknown...` arm. Everything
// else is passed through as parsed, so an ordinary call costs nothing extra.
import type { ApiIR, Model, TypeRef } from "../../ir/types.ts";
import { unknownArm } from "../ts-types.ts";

/** One generated decoder function, as the `decode.ts.hbs` template renders it. */
export interface DecoderFunction {
  name: string;
  type: string;
  union: { field: string; cases: Array<{ tag: string; expr: string }>; unknownType: string; marker: string } | null;
  object: { props: Array<{ key: string; expr: string }> } | null;
  alias: { expr: string } | null;
}

export interface Decoders {
  /** An expression decoding `value` (of type `ref`), or null when the value passes through as is. */
  expr(ref: TypeRef, value: string): string | null;
  /** The decoder functions the generated code needs, in model order. */
  functions: DecoderFunction[];
}

/** `type` prints a model reference from the decode module (`M.X`). */
export function planDecoders(ir: ApiIR, type: (ref: TypeRef) => string): Decoders {
  const models = new Map(ir.models.map((m) => [m.name, m]));
  const needs = new Map<string, boolean>();

  // A fixed point: a model needs decoding if it is an open union or holds one.
  const refNeeds = (ref: TypeRef): boolean => {
    switch (ref.kind) {
      case "model":
        return needs.get(ref.name) === true;
      case "array":
        return refNeeds(ref.items);
      case "map":
        return refNeeds(ref.values);
      default:
        return false;
    }
  };
  const modelNeeds = (m: Model): boolean => {
    switch (m.kind) {
      case "union":
        return m.discriminator !== undefined || m.variants.some((v) => refNeeds(v.type));
      case "object":
        return (
          m.properties.some((p) => refNeeds(p.type)) ||
          (m.additionalProperties !== null && m.additionalProperties !== false && refNeeds(m.additionalProperties))
        );
      case "alias":
        return refNeeds(m.type);
      case "enum":
        return false;
    }
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const m of ir.models) {
      if (needs.get(m.name) !== true && modelNeeds(m)) {
        needs.set(m.name, true);
        changed = true;
      }
    }
  }

  const fnName = (name: string) => `decode${models.get(name)?.names?.typescript?.type ?? name}`;
  const expr = (ref: TypeRef, value: string): string | null => {
    if (!refNeeds(ref)) return null;
    switch (ref.kind) {
      case "model":
        return `${fnName(ref.name)}(${value})`;
      case "array":
        return `Array.isArray(${value}) ? ${value}.map((item: unknown) => ${expr(ref.items, "item")}) : ${value}`;
      case "map":
        return `isRecord(${value}) ? Object.fromEntries(Object.entries(${value}).map(([key, item]) => [key, ${expr(ref.values, "item")}])) : ${value}`;
      default:
        return null;
    }
  };

  const functions: DecoderFunction[] = [];
  for (const m of ir.models) {
    if (needs.get(m.name) !== true) continue;
    const self: TypeRef = { kind: "model", name: m.name, nullable: false };
    const base = { name: fnName(m.name), type: type(self), union: null, object: null, alias: null };
    if (m.kind === "union") {
      const arm = unknownArm(ir, m);
      if (arm === null) {
        // A union without a discriminator: its variants cannot be told apart here; pass through.
        functions.push({ ...base, alias: { expr: "value" } });
        continue;
      }
      const cases = m.variants.flatMap((v) =>
        v.discriminatorValues.map((tag) => ({
          tag: JSON.stringify(tag),
          expr: expr(v.type, "value") ?? `value as unknown as ${type(v.type)}`,
        })),
      );
      functions.push({
        ...base,
        union: {
          field: JSON.stringify(arm.field),
          cases,
          unknownType: `M.${arm.typeName}`,
          marker: JSON.stringify(arm.marker),
        },
      });
    } else if (m.kind === "object") {
      const props = m.properties.flatMap((p) => {
        const key = JSON.stringify(p.wireName);
        const e = expr(p.type, `copy[${key}]`);
        return e === null ? [] : [{ key, expr: e }];
      });
      functions.push({ ...base, object: { props } });
    } else if (m.kind === "alias") {
      functions.push({ ...base, alias: { expr: expr(m.type, "value") ?? "value" } });
    }
  }
  return { expr, functions };
}
