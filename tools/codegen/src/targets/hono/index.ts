// The `hono` target: a Hono server skeleton. Routes for every operation, request validation
// derived from the schemas, and a typed handler interface per group whose results the compiler
// checks against the declared responses. Hand-written runtime files (templates/hono/runtime)
// are copied verbatim; models, schemas, operations, handlers and routes are rendered.
import { GeneratorError } from "../../errors.ts";
import type { ApiIR, Operation, Parameter, TypeRef } from "../../ir/types.ts";
import { pascalCase } from "../../naming/index.ts";
import { modelSchema, typeSchema } from "../json-schema.ts";
import { docComment, propertyKey, typePrinter } from "../ts-types.ts";
import type { Target, TargetFile } from "../types.ts";

export interface HonoOptions {
  /**
   * Response headers that middleware sets on every answer (request id, rate-limit fields): a
   * handler never has to provide them, so they are left out of the result types.
   */
  providedHeaders?: readonly string[];
}

const defaultProvidedHeaders = [
  "X-Request-Id",
  "RateLimit-Limit",
  "RateLimit-Remaining",
  "RateLimit-Reset",
  "Retry-After",
  "WWW-Authenticate",
];

/** A type-name stem from an operation id ("list-pets" -> "ListPets"), always an identifier. */
function pascal(id: string): string {
  const name = pascalCase(id);
  return /^[A-Za-z_]/.test(name) ? name : `Op${name}`;
}

function honoPath(path: string): string {
  return path.replace(/\{([^}]+)\}/g, ":$1");
}

function jsonBodies(op: Operation): { contentTypes: string[]; type: TypeRef } | null {
  if (op.requestBody === null) return null;
  const json = op.requestBody.contents.filter((c) => c.kind === "json" || c.kind === "merge-patch");
  if (json.length === 0) {
    throw new GeneratorError(
      op.source.file,
      `${op.source.pointer}/requestBody`,
      `the hono target accepts JSON request bodies only, not ${op.requestBody.contents.map((c) => c.mediaType).join(", ")}`,
    );
  }
  const first = json[0] as (typeof json)[number];
  const same = json.every((c) => JSON.stringify(c.type) === JSON.stringify(first.type));
  if (!same) {
    throw new GeneratorError(
      op.source.file,
      `${op.source.pointer}/requestBody`,
      "the hono target needs one schema for all JSON media types of a body",
    );
  }
  return { contentTypes: json.map((c) => c.mediaType), type: first.type };
}

function checkParameter(op: Operation, p: Parameter): void {
  if (p.in === "cookie") {
    throw new GeneratorError(p.source.file, p.source.pointer, "the hono target does not support cookie parameters");
  }
  if (p.in === "query" && p.type.kind === "map") {
    throw new GeneratorError(
      p.source.file,
      p.source.pointer,
      "the hono target does not support object (deepObject/form) query parameters",
    );
  }
  void op;
}

export function honoTarget(options: HonoOptions = {}): Target {
  const provided = new Set((options.providedHeaders ?? defaultProvidedHeaders).map((h) => h.toLowerCase()));
  return {
    name: "hono",
    language: "typescript",
    runtimeDir: "hono/runtime",
    runtimeOut: "runtime",
    render(ir: ApiIR, render) {
      const printer = typePrinter(ir, { openEnums: false });
      const qualified = typePrinter(ir, { openEnums: false, qualifier: "M." });
      const files: TargetFile[] = [];

      // models.ts
      const models = ir.models.map((m) => printer.declaration(m)).join("\n");
      files.push({ path: "models.ts", content: render("hono/models.ts.hbs", { models }) });

      // schemas.ts: the validator's registry, keyed by canonical model name.
      const registry = Object.fromEntries(ir.models.map((m) => [m.name, modelSchema(m)]));
      files.push({
        path: "schemas.ts",
        content: render("hono/schemas.ts.hbs", { schemas: JSON.stringify(registry, null, 2) }),
      });

      // operations.ts, handlers.ts, routes.ts
      const operations = [];
      // Type-name stems must be unique even where two ids differ only in case or punctuation.
      const stems = new Map<string, number>();
      const stemOf = (id: string): string => {
        const base = pascal(id);
        const n = (stems.get(base) ?? 0) + 1;
        stems.set(base, n);
        return n === 1 ? base : `${base}${n}`;
      };
      const typeNames = new Map(ir.operations.map((o) => [o.id, stemOf(o.id)]));
      const inputs = [];
      const results = [];
      for (const op of ir.operations) {
        for (const p of op.parameters) checkParameter(op, p);
        const body = jsonBodies(op);
        const typeName = typeNames.get(op.id) as string;
        const spec = {
          operationId: op.id,
          public: op.security.public && op.security.requirements.length === 0,
          parameters: op.parameters.map((p) => ({
            name: p.name,
            in: p.in,
            required: p.required,
            schema: typeSchema(p.type),
          })),
          ...(body
            ? {
                body: {
                  contentTypes: body.contentTypes,
                  schema: typeSchema(body.type),
                  required: op.requestBody?.required ?? false,
                },
              }
            : {}),
        };
        const fields = (location: Parameter["in"]) =>
          op.parameters
            .filter((p) => p.in === location)
            .map(
              (p) =>
                `${docComment(p.description, "    ")}    ${propertyKey(p.name)}${p.required ? "" : "?"}: ${qualified.type(p.type)};`,
            )
            .join("\n");
        inputs.push({
          name: `${typeName}Input`,
          doc: docComment(`The validated input of \`${op.id}\` (${op.method.toUpperCase()} ${op.path}).`),
          path: fields("path"),
          query: fields("query"),
          headers: fields("header"),
          body: body ? qualified.type(body.type) : "undefined",
        });
        const variants = op.responses.flatMap((r) => {
          if (r.code === null) return [];
          const content = r.contents[0];
          const bodyType =
            content === undefined || content.type === undefined ? undefined : qualified.type(content.type);
          const headerFields = r.headers
            .filter((h) => !provided.has(h.name.toLowerCase()))
            .map((h) => `${propertyKey(h.name)}${h.required ? "" : "?"}: string`);
          const requiredHeaders = r.headers.some((h) => h.required && !provided.has(h.name.toLowerCase()));
          const headers =
            headerFields.length === 0 ? "" : `; headers${requiredHeaders ? "" : "?"}: { ${headerFields.join("; ")} }`;
          if (content?.kind === "event-stream" || r.code === 101) return [];
          return [`{ status: ${r.code}${bodyType === undefined ? "" : `; body: ${bodyType}`}${headers} }`];
        });
        // Streams and protocol upgrades are answered with a raw Response.
        if (op.streaming || op.websocket !== null) variants.push("Response");
        results.push({ name: `${typeName}Result`, variants: variants.join("\n  | ") });
        const group = ir.groups.find((g) => g.name === op.group);
        operations.push({
          id: op.id,
          key: JSON.stringify(op.id),
          methodUpper: op.method.toUpperCase(),
          honoPath: honoPath(op.path),
          spec: JSON.stringify(spec, null, 2).replaceAll("\n", "\n  "),
          groupProperty: group?.names?.typescript?.property ?? op.group,
          handler: op.names?.typescript?.method ?? op.id,
          typeName,
        });
      }
      files.push({ path: "operations.ts", content: render("hono/operations.ts.hbs", { operations }) });
      const groups = ir.groups.map((g) => ({
        interfaceName: `${g.names?.typescript?.className ?? pascal(g.name)}Handlers`,
        property: g.names?.typescript?.property ?? g.name,
        doc: docComment(g.description ?? `The ${g.name} operations.`),
        operations: g.operations.map((id) => {
          const op = ir.operations.find((o) => o.id === id) as Operation;
          return {
            doc: docComment([op.summary, op.description].filter(Boolean).join("\n\n"), "  "),
            method: op.names?.typescript?.method ?? op.id,
            typeName: typeNames.get(op.id) as string,
          };
        }),
      }));
      files.push({ path: "handlers.ts", content: render("hono/handlers.ts.hbs", { inputs, results, groups }) });
      files.push({ path: "routes.ts", content: render("hono/routes.ts.hbs", { operations, groups }) });
      files.push({ path: "index.ts", content: render("hono/index.ts.hbs", {}) });
      return files;
    },
  };
}
