// The declarations of src/models.rs: serde structs, open enums, tagged and untagged unions,
// aliases. This module computes each one's view; the code is templates/rust/model/*.hbs. Layout
// that depends on line widths (a field's type on its own line, a match arm in a block) is decided
// here as rustfmt would, so the crate is `cargo fmt` clean.
import type { EnumModel, Model, ObjectModel, Property, UnionModel } from "../../ir/types.ts";
import { upperSnakeCase } from "../../naming/index.ts";
import { modelDescription } from "../sdk-common.ts";
import { isScalar, isScalarOrArrayUnion } from "../shapes.ts";
import type { Render } from "../types.ts";
import { etagVersionArg } from "./etag.ts";
import { attribute, MAX_WIDTH, type RustTypes, rustDoc, rustString } from "./types.ts";

export interface ModelsOutput {
  declarations: string;
  usesMap: boolean;
  usesDoubleOption: boolean;
  usesCustomSerde: boolean;
}

const bareName = (name: string) => name.replace(/^r#/, "");

export function renderModels(render: Render, types: RustTypes, libName: string): ModelsOutput {
  const state: State = { doubleOption: false, customSerde: false, libName };
  const declarations = types.ir.models.map((m) => declaration(render, types, m, state)).join("\n");
  return {
    declarations,
    // From the text: the resources render map types with the same printer.
    usesMap: /\bBTreeMap</.test(declarations),
    usesDoubleOption: state.doubleOption,
    usesCustomSerde: state.customSerde,
  };
}

type State = { doubleOption: boolean; customSerde: boolean; libName: string };

function modelDoc(m: Model, indent = ""): string {
  const text = modelDescription(m);
  return rustDoc(text, indent, `The \`${m.name}\` schema.`) + (m.deprecated ? `${indent}#[deprecated]\n` : "");
}

function declaration(render: Render, types: RustTypes, m: Model, state: State): string {
  switch (m.kind) {
    case "object":
      return objectModel(render, types, m, state);
    case "enum":
      return enumModel(render, types, m);
    case "union":
      return unionModel(render, types, m, state);
    case "alias":
      return render("rust/model/alias.rs.hbs", {
        doc: modelDoc(m),
        name: types.typeName(m.name),
        type: types.bare(m.type),
      });
  }
}

function field(types: RustTypes, owner: ObjectModel, p: Property, state: State) {
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
  return {
    doc: rustDoc([p.description, extra].filter(Boolean).join("\n\n"), "    ", `The \`${p.wireName}\` member.`),
    deprecated: p.deprecated,
    serde: attrs.length > 0 ? attribute("    ", "serde", attrs) : "",
    name,
    type,
    // rustfmt puts a type too wide for the line on the next one.
    long: `    pub ${name}: ${type},`.length > MAX_WIDTH,
  };
}

function objectModel(render: Render, types: RustTypes, m: ObjectModel, state: State): string {
  const derives = ["Debug", "Clone", "PartialEq"];
  if (types.objectHasDefault(m.name)) derives.push("Default");
  derives.push("Serialize", "Deserialize");
  const fields = m.properties.map((p) => field(types, m, p, state));
  let additional: { name: string; type: string } | null = null;
  if (m.additionalProperties !== null && m.additionalProperties !== false) {
    const taken = new Set(m.properties.map((p) => bareName(p.names?.rust?.field ?? p.wireName)));
    types.usesMap = true;
    additional = {
      name: taken.has("additional_properties") ? "additional_properties_" : "additional_properties",
      type: types.type(m.additionalProperties),
    };
  }
  return render("rust/model/struct.rs.hbs", {
    doc: modelDoc(m),
    allowDeprecated: m.properties.some((p) => p.deprecated),
    derives: derives.join(", "),
    // A closed object has no field for unknown members, so it never sends any; reading one refuses them.
    closed: m.additionalProperties === false,
    name: types.typeName(m.name),
    empty: fields.length === 0 && additional === null,
    fields,
    additional,
    etag: etagVersionArg(types, m),
    libName: state.libName,
  });
}

function enumModel(render: Render, types: RustTypes, m: EnumModel): string {
  const name = types.typeName(m.name);
  if (m.valueType === "string") {
    return render("rust/model/open-enum.rs.hbs", {
      doc: modelDoc(m, "    "),
      name,
      members: m.members.map((e) => ({
        doc: rustDoc(e.description, "        ", `\`${String(e.value)}\`.`),
        member: e.names?.rust?.member ?? String(e.value),
        value: rustString(String(e.value)),
      })),
    });
  }
  if (m.valueType === "boolean") return render("rust/model/alias.rs.hbs", { doc: modelDoc(m), name, type: "bool" });
  const integer = m.valueType === "integer";
  const used = new Set<string>();
  const consts = m.members.map((e) => {
    let constName = upperSnakeCase(e.names?.rust?.member ?? String(e.value)) || "VALUE";
    if (/^[0-9]/.test(constName)) constName = `V${constName}`;
    while (used.has(constName)) constName += "_";
    used.add(constName);
    const literal = integer ? String(e.value) : Number.isInteger(e.value) ? `${e.value}.0` : String(e.value);
    return {
      doc: rustDoc(e.description, "    ", `\`${String(e.value)}\`.`),
      const: constName,
      literal,
      long: `    pub const ${constName}: ${name} = ${name}(${literal});`.length > MAX_WIDTH,
    };
  });
  return render("rust/model/number-enum.rs.hbs", {
    doc: modelDoc(m),
    name,
    inner: integer ? "i64" : "f64",
    derives: integer
      ? "Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize"
      : "Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize",
    consts,
  });
}

/** A match arm: on one line when it fits, else in a block (as rustfmt prints it). */
function arm(pattern: string, expr: string) {
  return { pattern, expr, long: `            ${pattern} => ${expr},`.length > MAX_WIDTH };
}

function unionModel(render: Render, types: RustTypes, m: UnionModel, state: State): string {
  const name = types.typeName(m.name);
  const variantNames = m.variants.map((v, i) => v.names?.rust?.variant ?? `Variant${i + 1}`);
  const unknown = variantNames.includes("Unknown") ? "Other" : "Unknown";
  const variants = m.variants.map((v, i) => {
    const tags = v.discriminatorValues.map((t) => `\`${t}\``).join(", ");
    const variant = variantNames[i] as string;
    const type = types.type(v.type, "", m.name);
    return {
      doc: rustDoc(
        tags === "" ? undefined : `Tagged ${tags}.`,
        "    ",
        `A \`${v.type.kind === "model" ? v.type.name : variant}\`.`,
      ),
      variant,
      type,
      long: `    ${variant}(${type}),`.length > MAX_WIDTH,
    };
  });
  const disc = m.discriminator;
  if (disc === undefined) {
    // A union of scalars (or of scalars and arrays of them) is a parameter value: `Display` (when
    // every variant is a scalar) and `QueryValue` (an array variant is exploded) delegate to the
    // variant held (an unknown JSON string is written as is).
    const ref = { kind: "model", name: m.name, nullable: false } as const;
    const parameter = isScalarOrArrayUnion(types.ir, ref);
    const all = [...variantNames, unknown];
    return render("rust/model/untagged-union.rs.hbs", {
      doc: modelDoc(m),
      name,
      variants,
      unknown,
      display:
        parameter && isScalar(types.ir, ref)
          ? [
              ...variantNames.map((v) => arm(`Self::${v}(value)`, "std::fmt::Display::fmt(value, f)")),
              arm(`Self::${unknown}(value)`, "crate::runtime::fmt_json_scalar(value, f)"),
            ]
          : null,
      query: parameter
        ? all.map((v) => arm(`Self::${v}(value)`, "crate::runtime::QueryValue::append_to(value, name, out)"))
        : null,
    });
  }
  state.customSerde = true;
  return render("rust/model/tagged-union.rs.hbs", {
    doc: modelDoc(m),
    property: disc.propertyName,
    propertyLiteral: rustString(disc.propertyName),
    name,
    variants,
    unknown,
    all: [...variantNames, unknown],
    arms: m.variants.flatMap((v, i) =>
      v.discriminatorValues.map((tag) =>
        arm(`Some(${rustString(tag)})`, `serde_json::from_value(value).map(Self::${variantNames[i]})`),
      ),
    ),
  });
}
