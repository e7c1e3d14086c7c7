// IR -> JSON Schema (2020-12 subset) for runtime validation: what the Hono skeleton's validator
// interprets. Named models become `#/components/schemas/<canonical name>` references.
import type { Constraints, Model, TypeRef } from "../ir/types.ts";

export type JsonSchema = boolean | { [key: string]: unknown };

const ref = (name: string) => `#/components/schemas/${name}`;

function withNull(schema: JsonSchema, nullable: boolean): JsonSchema {
  if (!nullable || schema === true) return schema;
  return { anyOf: [schema, { type: "null" }] };
}

function constraints(c: Constraints | undefined): Record<string, unknown> {
  return c === undefined ? {} : { ...c };
}

export function typeSchema(type: TypeRef): JsonSchema {
  switch (type.kind) {
    case "primitive":
      return withNull(
        {
          type: type.type,
          ...(type.format === undefined ? {} : { format: type.format }),
          ...constraints(type.constraints),
        },
        type.nullable,
      );
    case "model":
      return withNull({ $ref: ref(type.name), ...constraints(type.constraints) }, type.nullable);
    case "array":
      return withNull(
        { type: "array", items: typeSchema(type.items), ...constraints(type.constraints) },
        type.nullable,
      );
    case "map":
      return withNull(
        { type: "object", additionalProperties: typeSchema(type.values), ...constraints(type.constraints) },
        type.nullable,
      );
    case "literal":
      return withNull({ const: type.value }, type.nullable);
    case "null":
      return { type: "null" };
    case "any":
      return true;
  }
}

export function modelSchema(model: Model): JsonSchema {
  switch (model.kind) {
    case "object": {
      const properties: Record<string, JsonSchema> = {};
      for (const p of model.properties) {
        const schema = typeSchema(p.type);
        properties[p.wireName] = p.readOnly && typeof schema === "object" ? { ...schema, readOnly: true } : schema;
      }
      const required = model.properties.filter((p) => p.required).map((p) => p.wireName);
      return {
        type: "object",
        properties,
        ...(required.length > 0 ? { required } : {}),
        ...(model.additionalProperties === false
          ? { additionalProperties: false }
          : model.additionalProperties === null
            ? {}
            : { additionalProperties: typeSchema(model.additionalProperties) }),
      };
    }
    case "enum":
      return withNull({ enum: model.members.map((m) => m.value) }, model.nullable);
    case "union": {
      const variants = model.variants.map((v) => typeSchema(v.type));
      const discriminator = model.discriminator
        ? {
            discriminator: {
              propertyName: model.discriminator.propertyName,
              mapping: Object.fromEntries(model.discriminator.mapping.map((m) => [m.value, ref(m.model)])),
            },
          }
        : {};
      return withNull({ [model.composition]: variants, ...discriminator }, model.nullable);
    }
    case "alias":
      return typeSchema(model.type);
  }
}
