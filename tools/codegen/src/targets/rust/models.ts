// The declarations of src/models.rs: serde structs, open enums, tagged and untagged unions,
// aliases. Everything is laid out the way rustfmt prints it, so the crate is `cargo fmt` clean.
import type { AliasModel, EnumModel, Model, ObjectModel, Property, UnionModel } from "../../ir/types.ts";
import { upperSnakeCase } from "../../naming/index.ts";
import { modelDescription } from "../sdk-common.ts";
import { isScalar, isScalarOrArrayUnion } from "../shapes.ts";
import { attribute, MAX_WIDTH, type RustTypes, rustDoc, rustString } from "./types.ts";

export interface ModelsOutput {
  declarations: string;
  usesMap: boolean;
  usesDoubleOption: boolean;
  usesCustomSerde: boolean;
}

const bareName = (name: string) => name.replace(/^r#/, "");

export function renderModels(types: RustTypes): ModelsOutput {
  const state = { doubleOption: false, customSerde: false };
  const declarations = types.ir.models.map((m) => declaration(types, m, state)).join("\n");
  return {
    declarations,
    // From the text: the resources render map types with the same printer.
    usesMap: /\bBTreeMap</.test(declarations),
    usesDoubleOption: state.doubleOption,
    usesCustomSerde: state.customSerde,
  };
}

type State = { doubleOption: boolean; customSerde: boolean };

function modelDoc(m: Model, indent = ""): string {
  const text = modelDescription(m);
  return rustDoc(text, indent, `The \`${m.name}\` schema.`) + (m.deprecated ? `${indent}#[deprecated]\n` : "");
}

function declaration(types: RustTypes, m: Model, state: State): string {
  switch (m.kind) {
    case "object":
      return objectModel(types, m, state);
    case "enum":
      return enumModel(types, m);
    case "union":
      return unionModel(types, m, state);
    case "alias":
      return aliasModel(types, m);
  }
}

function field(types: RustTypes, owner: ObjectModel, p: Property, state: State): string {
  const name = p.names?.rust?.field ?? p.wireName;
  const nullable = types.nullable(p.type);
  const bare = types.bare(p.type, "", owner.name);
  const attrs: string[] = [];
  if (bareName(name) !== p.wireName) attrs.push(`rename = ${rustString(p.wireName)}`);
  let type: string;
  if (p.required) {
    type = nullable ? `Option<${bare}>` : bare;
  } else if (nullable) {
    // Absent (outer None), explicit null (Some(None)) and a value stay distinct: merge patches.
    type = `Option<Option<${bare}>>`;
    attrs.push("default", 'skip_serializing_if = "Option::is_none"', 'with = "double_option"');
    state.doubleOption = true;
  } else {
    type = `Option<${bare}>`;
    attrs.push("default", 'skip_serializing_if = "Option::is_none"');
  }
  const extra = [p.readOnly ? "Read-only: sent by the server." : "", p.writeOnly ? "Write-only." : ""]
    .filter(Boolean)
    .join(" ");
  const doc = rustDoc([p.description, extra].filter(Boolean).join("\n\n"), "    ", `The \`${p.wireName}\` member.`);
  return (
    doc +
    (p.deprecated ? "    #[deprecated]\n" : "") +
    (attrs.length > 0 ? attribute("    ", "serde", attrs) : "") +
    fieldLine(`    pub ${name}:`, type)
  );
}

function objectModel(types: RustTypes, m: ObjectModel, state: State): string {
  const name = types.typeName(m.name);
  const derives = ["Debug", "Clone", "PartialEq"];
  if (types.objectHasDefault(m.name)) derives.push("Default");
  derives.push("Serialize", "Deserialize");
  const fields = m.properties.map((p) => field(types, m, p, state));
  if (m.additionalProperties !== null && m.additionalProperties !== false) {
    const taken = new Set(m.properties.map((p) => bareName(p.names?.rust?.field ?? p.wireName)));
    const extra = taken.has("additional_properties") ? "additional_properties_" : "additional_properties";
    types.usesMap = true;
    fields.push(
      "    /// Members not declared above.\n    #[serde(flatten)]\n" +
        `    pub ${extra}: BTreeMap<String, ${types.type(m.additionalProperties)}>,\n`,
    );
  }
  const deprecated = m.properties.some((p) => p.deprecated) ? "#[allow(deprecated)]\n" : "";
  const body = fields.length === 0 ? " {}\n" : ` {\n${fields.join("")}}\n`;
  // A closed object has no field for unknown members, so it never sends any; reading one refuses them.
  const closed = m.additionalProperties === false ? "#[serde(deny_unknown_fields)]\n" : "";
  return `${modelDoc(m)}${deprecated}#[derive(${derives.join(", ")})]\n${closed}pub struct ${name}${body}`;
}

function enumModel(types: RustTypes, m: EnumModel): string {
  const name = types.typeName(m.name);
  if (m.valueType === "string") {
    const members = m.members
      .map(
        (e) =>
          rustDoc(e.description, "        ", `\`${String(e.value)}\`.`) +
          `        ${e.names?.rust?.member ?? String(e.value)} = ${rustString(String(e.value))},\n`,
      )
      .join("");
    return `crate::open_enum! {\n${modelDoc(m, "    ")}    #[allow(clippy::enum_variant_names)]\n    pub enum ${name} {\n${members}    }\n}\n`;
  }
  if (m.valueType === "boolean") return `${modelDoc(m)}pub type ${name} = bool;\n`;
  // Integer and number enums: a transparent newtype with one constant per known value, so an
  // unknown value still decodes.
  const integer = m.valueType === "integer";
  const inner = integer ? "i64" : "f64";
  const derives = integer
    ? "Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize"
    : "Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize";
  const used = new Set<string>();
  const consts = m.members
    .map((e) => {
      let constName = upperSnakeCase(e.names?.rust?.member ?? String(e.value)) || "VALUE";
      if (/^[0-9]/.test(constName)) constName = `V${constName}`;
      while (used.has(constName)) constName += "_";
      used.add(constName);
      const literal = integer ? String(e.value) : Number.isInteger(e.value) ? `${e.value}.0` : String(e.value);
      const line = `    pub const ${constName}: ${name} = ${name}(${literal});`;
      const fitted =
        line.length <= MAX_WIDTH
          ? `${line}\n`
          : `    pub const ${constName}: ${name} =\n        ${name}(${literal});\n`;
      return `${rustDoc(e.description, "    ", `\`${String(e.value)}\`.`)}${fitted}`;
    })
    .join("\n");
  return (
    `${modelDoc(m)}#[derive(${derives})]\n#[serde(transparent)]\npub struct ${name}(pub ${inner});\n\n` +
    `impl ${name} {\n${consts}}\n\n` +
    `impl std::fmt::Display for ${name} {\n    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {\n        std::fmt::Display::fmt(&self.0, f)\n    }\n}\n\n` +
    `impl crate::runtime::QueryValue for ${name} {\n    fn append_to(&self, name: &str, out: &mut Vec<(String, String)>) {\n        crate::runtime::QueryValue::append_to(&self.0, name, out);\n    }\n}\n`
  );
}

function unionModel(types: RustTypes, m: UnionModel, state: State): string {
  const name = types.typeName(m.name);
  const variantNames = m.variants.map((v, i) => v.names?.rust?.variant ?? `Variant${i + 1}`);
  const unknown = variantNames.includes("Unknown") ? "Other" : "Unknown";
  const variants = m.variants
    .map((v, i) => {
      const tags = v.discriminatorValues.map((t) => `\`${t}\``).join(", ");
      const doc = rustDoc(
        tags === "" ? undefined : `Tagged ${tags}.`,
        "    ",
        `A \`${v.type.kind === "model" ? v.type.name : (variantNames[i] as string)}\`.`,
      );
      return `${doc}${tupleVariant(variantNames[i] as string, types.type(v.type, "", m.name))}`;
    })
    .join("");
  const allow = "#[allow(clippy::large_enum_variant, clippy::enum_variant_names)]\n";
  const disc = m.discriminator;
  if (disc === undefined) {
    return (
      `${modelDoc(m)}${allow}#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]\n#[serde(untagged)]\npub enum ${name} {\n${variants}` +
      `    /// A value matching none of the variants, kept as sent.\n    ${unknown}(serde_json::Value),\n}\n` +
      scalarUnionImpls(types, m, name, variantNames, unknown)
    );
  }
  state.customSerde = true;
  // A discriminated union with an unknown fallback keeping the raw JSON: deserialize to a
  // Value, match the tag, decode the known variant (the README's pattern).
  const arms = m.variants.flatMap((v, i) =>
    v.discriminatorValues.map((tag) => {
      const pattern = `Some(${rustString(tag)})`;
      const call = `serde_json::from_value(value).map(Self::${variantNames[i]})`;
      const line = `            ${pattern} => ${call},`;
      return line.length <= MAX_WIDTH
        ? `${line}\n`
        : `            ${pattern} => {\n                ${call}\n            }\n`;
    }),
  );
  const serializeArms = [...variantNames, unknown]
    .map((v) => `            Self::${v}(value) => value.serialize(serializer),\n`)
    .join("");
  return (
    `${modelDoc(m)}///\n/// Decoded by the \`${disc.propertyName}\` member; an unknown tag keeps the raw JSON.\n${allow}#[derive(Debug, Clone, PartialEq)]\npub enum ${name} {\n${variants}` +
    `    /// A tag this version of the SDK does not know, kept as sent.\n    ${unknown}(serde_json::Value),\n}\n\n` +
    `impl Serialize for ${name} {\n    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {\n        match self {\n${serializeArms}        }\n    }\n}\n\n` +
    `impl<'de> Deserialize<'de> for ${name} {\n    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {\n` +
    "        let value = serde_json::Value::deserialize(deserializer)?;\n" +
    `        let tag = value\n            .get(${rustString(disc.propertyName)})\n            .and_then(serde_json::Value::as_str)\n            .map(str::to_owned);\n` +
    `        let decoded = match tag.as_deref() {\n${arms.join("")}            _ => return Ok(Self::${unknown}(value)),\n        };\n` +
    "        decoded.map_err(serde::de::Error::custom)\n    }\n}\n"
  );
}

function aliasModel(types: RustTypes, m: AliasModel): string {
  return `${modelDoc(m)}pub type ${types.typeName(m.name)} = ${types.bare(m.type)};\n`;
}

/**
 * A union of scalars (or of scalars and arrays of them) is a parameter value: `Display` (path and
 * header values, when every variant is a scalar) and `QueryValue` (query strings: an array
 * variant is exploded) delegate to the variant held (an unknown JSON string is written as is).
 */
function scalarUnionImpls(
  types: RustTypes,
  m: UnionModel,
  name: string,
  variantNames: string[],
  unknown: string,
): string {
  if (!isScalarOrArrayUnion(types.ir, { kind: "model", name: m.name, nullable: false })) return "";
  const scalar = isScalar(types.ir, { kind: "model", name: m.name, nullable: false });
  // A match arm as rustfmt prints it: on one line when it fits, else in a block.
  const arm = (pattern: string, expr: string) => {
    const line = `            ${pattern} => ${expr},`;
    return line.length <= MAX_WIDTH
      ? `${line}\n`
      : `            ${pattern} => {\n                ${expr}\n            }\n`;
  };
  const all = [...variantNames, unknown];
  const display = scalar
    ? `\nimpl std::fmt::Display for ${name} {\n    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {\n        match self {\n` +
      variantNames.map((v) => arm(`Self::${v}(value)`, "std::fmt::Display::fmt(value, f)")).join("") +
      arm(`Self::${unknown}(value)`, "crate::runtime::fmt_json_scalar(value, f)") +
      "        }\n    }\n}\n"
    : "";
  const query =
    `\nimpl crate::runtime::QueryValue for ${name} {\n    fn append_to(&self, name: &str, out: &mut Vec<(String, String)>) {\n        match self {\n` +
    all.map((v) => arm(`Self::${v}(value)`, "crate::runtime::QueryValue::append_to(value, name, out)")).join("") +
    "        }\n    }\n}\n";
  return display + query;
}

/** A struct field as rustfmt lays it out: on one line, or the type on the next when too long. */
function fieldLine(head: string, type: string): string {
  const line = `${head} ${type},`;
  return line.length <= MAX_WIDTH ? `${line}\n` : `${head}\n        ${type},\n`;
}

/** A tuple variant `Name(Type),` as rustfmt lays it out (the type on its own line when too long). */
function tupleVariant(name: string, type: string): string {
  const line = `    ${name}(${type}),`;
  return line.length <= MAX_WIDTH ? `${line}\n` : `    ${name}(\n        ${type},\n    ),\n`;
}
