// The declarations of <package>/models.py: pydantic models (unknown fields kept, refused by
// closed objects), open enums,
// open discriminated unions and aliases. Classes come first (their annotations are lazy under
// `from __future__ import annotations`); aliases and unions are evaluated when the module loads,
// so they follow in dependency order, and every class is rebuilt at the end to resolve them.
import { GeneratorError } from "../../errors.ts";
import type { AliasModel, EnumModel, Model, ObjectModel, Property, TypeRef, UnionModel } from "../../ir/types.ts";
import { modelDescription } from "../sdk-common.ts";
import { type PyTypes, pyDoc, pyLiteral, pyString } from "./types.ts";

export interface ModelsOutput {
  declarations: string[];
  /** The `...Param` TypedDicts of the input-only object models (after every declaration). */
  params: string[];
  /** Their names, for `__all__`. */
  paramNames: string[];
  /** Classes to rebuild once every alias exists. */
  rebuild: string[];
  /** Runtime names the module imports from `._core`. */
  runtime: string[];
}

function modelText(m: Model): string {
  const text = modelDescription(m);
  const base = text === "" ? `The \`${m.name}\` schema.` : text;
  return m.deprecated ? `${base}\n\nDeprecated.` : base;
}

/** Model names an eagerly evaluated expression of this type mentions. */
function refsOf(ref: TypeRef): string[] {
  switch (ref.kind) {
    case "model":
      return [ref.name];
    case "array":
      return refsOf(ref.items);
    case "map":
      return refsOf(ref.values);
    default:
      return [];
  }
}

/**
 * `inputOnly`: models only ever sent. Their optional members default to NOT_GIVEN (omit, null and
 * a value are three states), and each object among them gets a `...Param` TypedDict, accepted
 * wherever the model is (see `paramName`).
 */
export function renderModels(types: PyTypes, inputOnly: Set<string>): ModelsOutput {
  const runtime = new Set<string>();
  const taken = new Set(types.ir.models.map((m) => types.typeName(m.name)));
  const enums: string[] = [];
  const classes: string[] = [];
  const rebuild: string[] = [];
  const eager = new Map<string, { code: string; deps: string[]; model: Model }>();
  for (const m of types.ir.models) {
    switch (m.kind) {
      case "enum":
        enums.push(enumModel(types, m, runtime));
        break;
      case "object":
        classes.push(objectModel(types, m, runtime, inputOnly.has(m.name)));
        rebuild.push(types.typeName(m.name));
        break;
      case "union":
        eager.set(m.name, {
          code: unionModel(types, m, runtime, taken),
          deps: m.variants.flatMap((v) => refsOf(v.type)),
          model: m,
        });
        break;
      case "alias":
        eager.set(m.name, { code: aliasModel(types, m), deps: refsOf(m.type), model: m });
        break;
    }
  }
  // Aliases and unions in dependency order; a cycle among them cannot be written as Python
  // type aliases evaluated at import time.
  const ordered: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (name: string, stack: string[]) => {
    const entry = eager.get(name);
    if (entry === undefined || state.get(name) === "done") return;
    if (state.get(name) === "visiting") {
      throw new GeneratorError(
        entry.model.source.file,
        entry.model.source.pointer,
        `the python target cannot write the recursive alias/union chain ${[...stack, name].join(" -> ")} (wrap the recursion in an object schema)`,
      );
    }
    state.set(name, "visiting");
    for (const dep of entry.deps) visit(dep, [...stack, name]);
    state.set(name, "done");
    ordered.push(entry.code);
  };
  for (const name of [...eager.keys()].sort()) visit(name, []);
  const paramModels = types.ir.models.filter((m): m is ObjectModel => m.kind === "object" && inputOnly.has(m.name));
  const params = paramModels.map((m) => paramTypedDict(types, m, inputOnly));
  return {
    declarations: [...enums, ...classes, ...ordered],
    params,
    paramNames: paramModels.map((m) => paramName(types, m.name)),
    rebuild,
    runtime: [...runtime].sort(),
  };
}

/** The TypedDict twin of an input-only object model: `SequencePatch` -> `SequencePatchParam`. */
export function paramName(types: PyTypes, model: string): string {
  return `${types.typeName(model)}Param`;
}

/**
 * The annotation of a value sent in a TypedDict: an input-only object model or its TypedDict,
 * an open enum or one of its values as a literal.
 */
export function paramType(
  types: PyTypes,
  ref: TypeRef,
  inputOnly: Set<string>,
  qualify: (name: string) => string = (n) => n,
): string {
  const byType = types.byTypeName();
  return types.type(ref, (name) => {
    const m = byType.get(name);
    if (m?.kind === "object" && inputOnly.has(m.name)) return `${qualify(name)} | ${qualify(paramName(types, m.name))}`;
    if (m?.kind === "enum" && m.valueType === "string" && m.members.length > 0) {
      types.typing.add("Literal");
      return `${qualify(name)} | Literal[${m.members.map((e) => pyString(String(e.value))).join(", ")}]`;
    }
    return qualify(name);
  });
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KEYWORDS = new Set(
  "False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield".split(
    " ",
  ),
);

function paramTypedDict(types: PyTypes, m: ObjectModel, inputOnly: Set<string>): string {
  const name = paramName(types, m.name);
  const doc = `The \`${types.typeName(m.name)}\` members as a dict (keys as on the wire), accepted wherever the model is.`;
  const member = (p: Property) => {
    const t = paramType(types, p.type, inputOnly);
    return p.required ? `Required[${t}]` : `NotRequired[${t}]`;
  };
  if (m.properties.every((p) => IDENTIFIER.test(p.wireName) && !KEYWORDS.has(p.wireName))) {
    const fields = m.properties.map((p) => `    ${p.wireName}: ${member(p)}\n${pyDoc(p.description, "    ")}`);
    return `class ${name}(TypedDict, total=False):\n${pyDoc(doc, "    ")}${fields.length > 0 ? `\n${fields.join("\n")}` : "    pass\n"}`;
  }
  const entries = m.properties.map((p) => `${pyString(p.wireName)}: ${pyString(member(p))}`);
  return `${name} = TypedDict(${pyString(name)}, {${entries.join(", ")}}, total=False)\n${pyDoc(doc, "")}`;
}

function fieldLine(types: PyTypes, p: Property, input: boolean): string {
  const name = p.names?.python?.field ?? p.wireName;
  let annotation = types.type(p.type);
  const args: string[] = [];
  if (input && !p.required) {
    // Sent only: left out (NOT_GIVEN), null (where allowed) and a value are three states.
    annotation = annotation.endsWith(" | None")
      ? `${annotation.slice(0, -7)} | NotGiven | None`
      : `${annotation} | NotGiven`;
    args.push("default=NOT_GIVEN");
  } else if (!p.required) {
    if (!annotation.endsWith("| None") && annotation !== "Any" && annotation !== "None")
      annotation = `${annotation} | None`;
    args.push("default=None");
  }
  if (name !== p.wireName) {
    // Validation/serialization aliases (not `alias`), so type checkers see the Python name in
    // the constructor while the wire keeps the JSON name.
    args.push(`validation_alias=${pyString(p.wireName)}`, `serialization_alias=${pyString(p.wireName)}`);
  }
  const value =
    args.length === 0
      ? ""
      : args.length === 1 && !p.required
        ? ` = ${args[0]?.slice("default=".length)}`
        : ` = pydantic.Field(${args.join(", ")})`;
  const notes = [
    p.description,
    p.readOnly ? "Read-only: set by the server." : "",
    p.writeOnly ? "Write-only." : "",
    p.deprecated ? "Deprecated." : "",
  ]
    .filter(Boolean)
    .join("\n\n");
  return `    ${name}: ${annotation}${value}\n${pyDoc(notes, "    ")}`;
}

function objectModel(types: PyTypes, m: ObjectModel, runtime: Set<string>, input: boolean): string {
  runtime.add("BaseModel");
  if (input && m.properties.some((p) => !p.required)) runtime.add("NotGiven").add("NOT_GIVEN");
  const name = types.typeName(m.name);
  const body: string[] = [];
  body.push(pyDoc(modelText(m), "    "));
  // A closed object refuses unknown fields when built, so they can never be sent.
  if (m.additionalProperties === false) body.push('    model_config = pydantic.ConfigDict(extra="forbid")\n');
  for (const p of m.properties) body.push(fieldLine(types, p, input));
  if (m.additionalProperties !== null && m.additionalProperties !== false) {
    // Members not declared above are validated as this type (and kept, like every extra).
    body.push(
      `    __pydantic_extra__: Dict[str, ${types.type(m.additionalProperties)}] = pydantic.Field(init=False)\n`,
    );
    types.typing.add("Dict");
  }
  return `class ${name}(BaseModel):\n${body.join("\n")}`;
}

function enumModel(types: PyTypes, m: EnumModel, runtime: Set<string>): string {
  const name = types.typeName(m.name);
  if (m.valueType !== "string") {
    // Numeric and boolean enums stay plain values so unknown ones still decode; the known
    // values are listed in the docstring.
    const known = m.members.map((e) => `\`${pyLiteral(e.value)}\``).join(", ");
    const base = m.valueType === "integer" ? "int" : m.valueType === "boolean" ? "bool" : "float";
    return `${name} = ${base}\n${pyDoc(`${modelText(m)}\n\nKnown values: ${known}.`, "")}`;
  }
  runtime.add("OpenEnum");
  const members = m.members.map(
    (e) =>
      `    ${e.names?.python?.member ?? String(e.value)} = ${pyString(String(e.value))}\n${pyDoc(e.description, "    ")}`,
  );
  return `class ${name}(OpenEnum):\n${pyDoc(modelText(m), "    ")}\n${members.join("\n")}`;
}

function unionModel(types: PyTypes, m: UnionModel, runtime: Set<string>, taken: Set<string>): string {
  const name = types.typeName(m.name);
  const doc = pyDoc(modelText(m), "");
  const disc = m.discriminator;
  if (disc === undefined) {
    const variants = [...new Set(m.variants.map((v) => types.type(v.type)))];
    if (variants.length === 1) return `${name} = ${variants[0]}\n${doc}`;
    return `${name} = ${variants.join(" | ")}\n${doc}`;
  }
  runtime.add("UnknownVariant");
  runtime.add("UNKNOWN_TAG");
  runtime.add("open_discriminator");
  types.typing.add("Annotated");
  let unknown = `Unknown${name}`;
  for (let n = 2; taken.has(unknown); n++) unknown = `Unknown${name}${n}`;
  taken.add(unknown);
  // The tag member as the variants name it (an alias when it is not a Python identifier).
  const first = m.variants.find((v) => v.type.kind === "model");
  const firstModel = first?.type.kind === "model" ? types.model(first.type.name) : undefined;
  const tagProp =
    firstModel?.kind === "object" ? firstModel.properties.find((p) => p.wireName === disc.propertyName) : undefined;
  const tagField = tagProp?.names?.python?.field ?? disc.propertyName;
  const tagValue =
    tagField === disc.propertyName
      ? ""
      : ` = pydantic.Field(validation_alias=${pyString(disc.propertyName)}, serialization_alias=${pyString(disc.propertyName)})`;
  const tags: string[] = [];
  const arms: string[] = [];
  for (const v of m.variants) {
    for (const tag of v.discriminatorValues) {
      tags.push(pyString(tag));
      arms.push(`Annotated[${types.type(v.type)}, pydantic.Tag(${pyString(tag)})]`);
    }
  }
  arms.push(`Annotated[${unknown}, pydantic.Tag(UNKNOWN_TAG)]`);
  const unknownClass =
    `class ${unknown}(UnknownVariant):\n` +
    pyDoc(
      `A \`${m.name}\` this version of the SDK does not know: every member of the JSON object is kept (\`model_extra\`).`,
      "    ",
    ) +
    `\n    ${tagField}: str${tagValue}\n`;
  return (
    `${unknownClass}\n\n${name} = Annotated[\n    ${arms.join(" | ")},\n` +
    `    open_discriminator(${pyString(disc.propertyName)}, [${tags.join(", ")}]),\n]\n` +
    pyDoc(
      `${modelText(m)}\n\nDecided by the \`${disc.propertyName}\` member; an unknown value decodes to \`${unknown}\`.`,
      "",
    )
  );
}

function aliasModel(types: PyTypes, m: AliasModel): string {
  return `${types.typeName(m.name)} = ${types.type(m.type)}\n${pyDoc(modelText(m), "")}`;
}
