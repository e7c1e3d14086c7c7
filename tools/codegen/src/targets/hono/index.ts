// The `hono` target: a Hono server skeleton. Routes for every operation, request validation
// derived from the schemas, and a typed handler interface per group whose results the compiler
// checks against the declared responses. Hand-written runtime files (templates/hono/runtime)
// are copied verbatim; models, schemas, operations, handlers and routes are rendered.
import { GeneratorError } from "../../errors.ts";
import type { ApiIR, Operation, Parameter, TypeRef } from "../../ir/types.ts";
import { pascalCase } from "../../naming/index.ts";
import { modelSchema, typeSchema } from "../json-schema.ts";
import { arrayDelimiter, flatShape, isObjectType, isStyleable, multipartFields, needsStyle } from "../shapes.ts";
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

/**
 * The body an operation accepts: its JSON (and merge-patch) and form-urlencoded media types,
 * which must share one schema (a form needs a flat object); failing those, its binary media
 * types (the handler gets the bytes); failing those, its text ones (a string). Multipart and
 * XML-only bodies are refused.
 */
function requestBody(
  ir: ApiIR,
  op: Operation,
): { contentTypes: string[]; type: TypeRef; kind: "structured" | "multipart" | "binary" | "text" } | null {
  if (op.requestBody === null) return null;
  const pointer = `${op.source.pointer}/requestBody`;
  const structured = op.requestBody.contents.filter(
    (c) => c.kind === "json" || c.kind === "merge-patch" || c.kind === "form",
  );
  if (structured.length > 0) {
    const first = structured[0] as (typeof structured)[number];
    if (!structured.every((c) => JSON.stringify(c.type) === JSON.stringify(first.type))) {
      throw new GeneratorError(
        op.source.file,
        pointer,
        "the hono target needs one schema for all JSON and form media types of a body",
      );
    }
    if (structured.some((c) => c.kind === "form") && flatShape(ir, first.type) === null) {
      throw new GeneratorError(
        op.source.file,
        pointer,
        "the hono target reads form-urlencoded bodies into objects of scalars and arrays of scalars only",
      );
    }
    return { contentTypes: structured.map((c) => c.mediaType), type: first.type, kind: "structured" };
  }
  const multipart = op.requestBody.contents.filter(
    (c) => c.mediaType.toLowerCase().split(";")[0]?.trim() === "multipart/form-data",
  );
  const firstPart = multipart[0];
  if (firstPart !== undefined) {
    if (multipartFields(ir, firstPart) === null) {
      throw new GeneratorError(
        op.source.file,
        pointer,
        "the hono target reads multipart/form-data bodies whose schema is an object with properties only",
      );
    }
    return { contentTypes: ["multipart/form-data"], type: firstPart.type, kind: "multipart" };
  }
  for (const kind of ["binary", "text"] as const) {
    const contents = op.requestBody.contents.filter((c) => c.kind === kind);
    const first = contents[0];
    if (first !== undefined) return { contentTypes: contents.map((c) => c.mediaType), type: first.type, kind };
  }
  throw new GeneratorError(
    op.source.file,
    pointer,
    `the hono target accepts JSON, form-urlencoded, binary and text request bodies only, not ${op.requestBody.contents.map((c) => c.mediaType).join(", ")}`,
  );
}

/**
 * Refuses a parameter the runtime cannot read: cookies are scalars, paths and headers scalars or
 * arrays of them (comma-separated); the query also takes flat objects with style deepObject, or form with explode (an
 * object with declared properties: a map's keys could not be told from other parameters).
 */
function checkParameter(ir: ApiIR, p: Parameter): void {
  // Path, header and cookie values in their style (simple, label, matrix, form): scalars,
  // arrays of scalars and flat objects.
  if (p.in !== "query" && !isStyleable(ir, p.type)) {
    throw new GeneratorError(
      p.source.file,
      p.source.pointer,
      `the hono target reads ${p.in} parameters that are scalars, arrays of scalars or flat objects only`,
    );
  }
  if (p.in !== "query" || !isObjectType(ir, p.type)) return;
  const shape = flatShape(ir, p.type);
  const ok =
    shape !== null &&
    (p.style === "deepObject" ||
      (p.style === "form" && p.explode && shape.kind === "object") ||
      // Not exploded: one value `k,v,k2,v2` (or `|`, space delimited).
      (!p.explode && shape.kind === "object"));
  if (!ok) {
    throw new GeneratorError(
      p.source.file,
      p.source.pointer,
      "the hono target reads object query parameters of scalars and arrays of scalars only, with style deepObject (or form + explode for objects with declared properties)",
    );
  }
}

/** A multipart body as the handler gets it: its parts, files as `File`s. */
function multipartInput(ir: ApiIR, op: Operation, type: (ref: TypeRef) => string): string {
  const content = op.requestBody?.contents.find((c) => c.kind === "multipart");
  const fields = content === undefined ? null : multipartFields(ir, content);
  if (fields === null) return "Record<string, unknown>";
  const members = fields.map(
    (f) =>
      `${propertyKey(f.wireName)}${f.required ? "" : "?"}: ${f.file === "one" ? "File" : f.file === "many" ? "File[]" : type(f.type)}`,
  );
  return `{ ${members.join("; ")} }`;
}

export function honoTarget(options: HonoOptions = {}): Target {
  const provided = new Set((options.providedHeaders ?? defaultProvidedHeaders).map((h) => h.toLowerCase()));
  return {
    name: "hono",
    language: "typescript",
    runtimeDir: "hono/runtime",
    runtimeOut: "runtime",
    render(ir: ApiIR, render, context) {
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
        const checked = context.attempt({ operation: op.id }, () => {
          for (const p of op.parameters) checkParameter(ir, p);
          return { body: requestBody(ir, op) };
        });
        if (checked === null) continue;
        const { body } = checked;
        const typeName = typeNames.get(op.id) as string;
        // Declared answers that are not JSON: their media type, so the runtime sends them as is.
        const plain = Object.fromEntries(
          op.responses.flatMap((r) => {
            const content = r.contents[0];
            return r.code !== null && (content?.kind === "text" || content?.kind === "binary")
              ? [[String(r.code), content.mediaType]]
              : [];
          }),
        );
        const spec = {
          operationId: op.id,
          public: op.security.public && op.security.requirements.length === 0,
          parameters: op.parameters.map((p) => ({
            name: p.name,
            in: p.in,
            required: p.required,
            schema: typeSchema(p.type),
            ...(p.in === "query" && isObjectType(ir, p.type)
              ? { style: p.style, ...(p.explode || p.style === "deepObject" ? {} : { explode: false }) }
              : {}),
            ...(p.in !== "query" && (needsStyle(ir, p) || p.style !== "simple")
              ? { style: p.style, explode: p.explode }
              : {}),
            ...(arrayDelimiter(ir, p) !== null ? { style: p.style, explode: false } : {}),
            ...(p.errorCode !== undefined ? { errorCode: p.errorCode } : {}),
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
          ...(Object.keys(plain).length > 0 ? { responses: plain } : {}),
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
          cookies: fields("cookie"),
          body: body
            ? body.kind === "binary"
              ? "Uint8Array"
              : body.kind === "text"
                ? "string"
                : body.kind === "multipart"
                  ? multipartInput(ir, op, qualified.type)
                  : qualified.type(body.type)
            : "undefined",
        });
        const variants = op.responses.flatMap((r) => {
          if (r.code === null) return [];
          const content = r.contents[0];
          const bodyType =
            content === undefined || content.type === undefined
              ? undefined
              : content.kind === "binary"
                ? "Uint8Array"
                : content.kind === "text"
                  ? "string"
                  : qualified.type(content.type);
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
        // No numbered answer declared (none at all, or only `default` / `4XX` ranges): any status.
        if (variants.length === 0)
          variants.push("{ status: number; body?: unknown; headers?: { [name: string]: string } }");
        results.push({ name: `${typeName}Result`, variants: variants.join("\n  | ") });
        const group = ir.groups.find((g) => g.name === op.group);
        operations.push({
          id: op.id,
          key: JSON.stringify(op.id),
          methodUpper: op.method.toUpperCase(),
          head: op.method === "head",
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
      // Every path with the methods it serves, for the 405 answers of the others.
      const methodsByPath = new Map<string, string[]>();
      for (const op of ir.operations) {
        const path = honoPath(op.path);
        methodsByPath.set(path, [...(methodsByPath.get(path) ?? []), op.method.toUpperCase()]);
      }
      const paths = [...methodsByPath].map(([path, methods]) => ({
        honoPath: path,
        methods: JSON.stringify(methods),
      }));
      // The codes parameters answer with instead of BAD_REQUEST (x-error-code), for the problem writer's type.
      const errorCodes = [...new Set(ir.operations.flatMap((o) => o.parameters.flatMap((p) => p.errorCode ?? [])))]
        .sort()
        .map((code) => JSON.stringify(code));
      files.push({
        path: "routes.ts",
        content: render("hono/routes.ts.hbs", {
          operations,
          anyHead: operations.some((o) => o.head),
          groups,
          paths,
          errorCodes: errorCodes.length > 0 ? errorCodes.join(" | ") : "never",
        }),
      });
      files.push({ path: "index.ts", content: render("hono/index.ts.hbs", {}) });
      return files;
    },
  };
}
