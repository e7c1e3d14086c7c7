// IR -> TypeScript type expressions, shared by the targets that emit TypeScript. Wire names are
// kept as property keys (quoted when they are not identifiers), so values need no conversion.
import type { ApiIR, Model, TypeRef } from "../ir/types.ts";
import { CLOSED_MODEL_NOTE, isClosed } from "./sdk-common.ts";
import { modelsByName } from "./shapes.ts";

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function propertyKey(wireName: string): string {
  return identifier.test(wireName) ? wireName : JSON.stringify(wireName);
}

/** The TypeScript name of a model (from the naming layer). */
export function modelTypeName(ir: ApiIR, name: string): string {
  const model = modelsByName(ir).get(name);
  const named = model?.names?.typescript?.type;
  if (named === undefined) throw new Error(`model ${name} has no TypeScript name`);
  return named;
}

export interface TypePrinter {
  type(ref: TypeRef): string;
  /** The declaration of a model: `export interface X {...}` or `export type X = ...;`. */
  declaration(model: Model): string;
}

function doc(text: string | undefined, indent = ""): string {
  if (text === undefined || text.trim() === "") return "";
  const lines = text.trim().replaceAll("*/", "*\\/").split("\n");
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${lines.map((l) => `${indent} *${l === "" ? "" : ` ${l}`}`).join("\n")}\n${indent} */\n`;
}

export { doc as docComment };

/**
 * The extra arm of an open discriminated union: what an SDK decodes a variant it does not know
 * into. Its tag is a fixed value (`"unknown"`, or `"__unknown__"` when a variant has that tag) so
 * that `switch (value.type)` still narrows every known arm, and an exhaustive switch must handle
 * this one; the object as received is kept in `raw`.
 */
export interface UnknownArm {
  /** The interface's name (`UnknownChangeEvent`). */
  typeName: string;
  /** The discriminator property. */
  field: string;
  /** The tag value the arm carries. */
  marker: string;
}

export function unknownArm(ir: ApiIR, model: Model): UnknownArm | null {
  if (model.kind !== "union" || model.discriminator === undefined) return null;
  const taken = new Set(ir.models.map((m) => m.names?.typescript?.type ?? m.name));
  const base = `Unknown${model.names?.typescript?.type ?? model.name}`;
  let typeName = base;
  for (let i = 2; taken.has(typeName); i++) typeName = `${base}${i}`;
  const tags = new Set(model.discriminator.mapping.map((e) => e.value));
  let marker = "unknown";
  while (tags.has(marker)) marker = `_${marker}_`;
  return { typeName, field: model.discriminator.propertyName, marker };
}

/**
 * `openEnums`: SDKs accept values a newer server may add (`"a" | "b" | (string & {})`); a
 * server skeleton validates strictly and uses closed unions. `openUnions`: a discriminated union
 * gets an `Unknown...` arm (see `unknownArm`). `qualifier` prefixes model references made from
 * another module (`M.`).
 */
export function typePrinter(
  ir: ApiIR,
  options: { openEnums: boolean; openUnions?: boolean; qualifier?: string },
): TypePrinter {
  const names = new Map(ir.models.map((m) => [m.name, m.names?.typescript?.type ?? m.name]));
  const nameOf = (name: string) => names.get(name) ?? name;
  const qualifier = options.qualifier ?? "";

  function type(ref: TypeRef): string {
    const base = ((): string => {
      switch (ref.kind) {
        case "primitive":
          return ref.type === "integer" || ref.type === "number" ? "number" : ref.type;
        case "model":
          return qualifier + nameOf(ref.name);
        case "array": {
          const item = type(ref.items);
          return /[|&]/.test(item) ? `Array<${item}>` : `${item}[]`;
        }
        case "map":
          return `{ [key: string]: ${type(ref.values)} }`;
        case "literal":
          return JSON.stringify(ref.value);
        case "null":
          return "null";
        case "any":
          return "unknown";
      }
    })();
    return ref.nullable && ref.kind !== "null" && ref.kind !== "any" ? `${base} | null` : base;
  }

  function declaration(model: Model): string {
    const name = nameOf(model.name);
    const closed = isClosed(model) ? CLOSED_MODEL_NOTE : undefined;
    const header = doc([model.description ?? model.title, closed].filter(Boolean).join("\n\n"));
    switch (model.kind) {
      case "object": {
        const lines = model.properties.map((p) => {
          const optional = p.required ? "" : "?";
          const readonly = p.readOnly ? "readonly " : "";
          return `${doc(p.description, "  ")}  ${readonly}${propertyKey(p.wireName)}${optional}: ${type(p.type)};`;
        });
        if (model.additionalProperties !== null && model.additionalProperties !== false && lines.length === 0) {
          return `${header}export type ${name} = { [key: string]: ${type(model.additionalProperties)} };\n`;
        }
        return `${header}export interface ${name} {\n${lines.join("\n")}${lines.length > 0 ? "\n" : ""}}\n`;
      }
      case "enum": {
        const members = model.members.map((m) => JSON.stringify(m.value));
        if (options.openEnums) members.push(model.valueType === "string" ? "(string & {})" : "(number & {})");
        if (model.nullable) members.push("null");
        return `${header}export type ${name} = ${members.join(" | ")};\n`;
      }
      case "union": {
        const variants = model.variants.map((v) => type(v.type));
        const arm = options.openUnions ? unknownArm(ir, model) : null;
        if (arm !== null) variants.push(arm.typeName);
        if (model.nullable) variants.push("null");
        const union = `${header}export type ${name} = ${variants.join(" | ")};\n`;
        if (arm === null) return union;
        const armDoc = doc(
          `A \`${name}\` variant this SDK version does not know (sent by a newer server): \`${arm.field}\` is ${JSON.stringify(arm.marker)}, \`raw\` is the object as received. An exhaustive \`switch\` must handle it.`,
        );
        return `${union}\n${armDoc}export interface ${arm.typeName} {\n  readonly ${propertyKey(arm.field)}: ${JSON.stringify(arm.marker)};\n  readonly raw: { readonly [key: string]: unknown };\n}\n`;
      }
      case "alias":
        return `${header}export type ${name} = ${type(model.type)};\n`;
    }
  }

  return { type, declaration };
}
