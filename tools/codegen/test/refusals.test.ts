// Every refusal of a run is reported at once, each with its JSON pointer; with skipUnsupported the
// refused operations and models (and what uses them) are left out and listed, and the rest is
// generated. The CLI prints them all on stderr and writes nothing unless --skip-unsupported.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RefusalsError } from "../src/errors.ts";
import { generateIR } from "../src/index.ts";
import { generate, targets } from "../src/targets/index.ts";
import type { Target } from "../src/targets/types.ts";
import { writeTree } from "./helpers.ts";

// Three independent refusals: a component using `not` (and an operation answering with it), a
// parameter described with `content`, and a cookie parameter the SDK targets cannot send.
const DOC = `openapi: 3.1.0
info: {title: Refusals, version: '1'}
paths:
  /bad-schema:
    get:
      operationId: getBad
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Holder'}
  /bad-param:
    get:
      operationId: getParam
      parameters:
        - name: q
          in: query
          content:
            application/json:
              schema: {type: object}
      responses:
        '204': {description: none}
  /fine:
    get:
      operationId: getFine
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Fine'}
components:
  schemas:
    NotString:
      not: {type: string}
    Holder:
      type: object
      properties:
        inner: {$ref: '#/components/schemas/NotString'}
    Fine:
      type: object
      properties:
        name: {type: string}
`;

function docPath(text = DOC): string {
  return join(writeTree({ "openapi.yaml": text }), "openapi.yaml");
}

function thrown(fn: () => unknown): RefusalsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof RefusalsError) return e;
    throw e;
  }
  throw new Error("expected a RefusalsError");
}

describe("all refusals of a run at once", () => {
  it("generateIR throws every refusal, each with its pointer and reason", () => {
    const error = thrown(() => generateIR(docPath()));
    expect(error.refusals.map((r) => r.pointer)).toEqual([
      "/components/schemas/NotString/not",
      "/paths/~1bad-param/get/parameters/0/content",
    ]);
    expect(error.refusals[0]?.reason).toMatch(/`not`/);
    expect(error.message).toContain("2 constructs are not supported");
    // The first refusal is the error's own pointer (code handling one refusal keeps working).
    expect(error.pointer).toBe("/components/schemas/NotString/not");
  });

  it("skipUnsupported leaves out the refused parts and what uses them, and lists each", () => {
    const ir = generateIR(docPath(), { skipUnsupported: true });
    expect(ir.operations.map((o) => o.id)).toEqual(["getFine"]);
    expect(ir.models.map((m) => m.name)).toEqual(["Fine"]);
    expect(ir.skipped.map((s) => [s.kind, s.label, s.because.pointer])).toEqual([
      ["model", "Holder", "/components/schemas/NotString/not"],
      ["model", "NotString", "/components/schemas/NotString/not"],
      ["operation", "GET /bad-param (getParam)", "/paths/~1bad-param/get/parameters/0/content"],
      ["operation", "GET /bad-schema (getBad)", "/components/schemas/NotString/not"],
    ]);
  });

  it("a target's own refusals join the IR's: all thrown together, or skipped and listed in the README", () => {
    const text = DOC.replace(
      "  /fine:\n",
      `  /cookie:
    get:
      operationId: getCookie
      parameters:
        - name: session
          in: cookie
          schema: {type: object, properties: {a: {type: object, properties: {b: {type: string}}}}}
      responses:
        '204': {description: none}
  /fine:
`,
    );
    const path = docPath(text);
    for (const name of ["typescript", "python", "rust"]) {
      const target = (targets[name] as () => Target)();
      const ir = generateIR(path, { languages: [target.language], skipUnsupported: true });
      const error = thrown(() => generate(target, ir, { source: "doc.yaml" }));
      expect(error.refusals.map((r) => r.pointer)).toContain("/paths/~1cookie/get/parameters/0");
      expect(error.refusals).toHaveLength(3);
      const files = generate(target, ir, { source: "doc.yaml", skipUnsupported: true });
      const readme = files.find((f) => f.path === "README.md")?.content ?? "";
      expect(readme).toContain("## Not generated");
      expect(readme).toContain("operation `GET /cookie (getCookie)`");
      expect(readme).toContain("`#/paths/~1cookie/get/parameters/0`");
      expect(readme).toContain("model `Holder`");
      const code = files
        .filter((f) => f.path !== "README.md")
        .map((f) => f.content)
        .join("\n");
      expect(code).not.toMatch(/getCookie|get_cookie/);
    }
  });
});

describe("the codegen command", () => {
  const cli = join(import.meta.dirname, "../src/cli.ts");

  it("prints every refusal and writes nothing; --skip-unsupported writes the rest and lists the skips", () => {
    const path = docPath();
    const out = join(writeTree({}), "out");
    const failed = spawnSync(process.execPath, [cli, "--input", path, "--target", "typescript", "--out", out], {
      encoding: "utf8",
    });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain("2 constructs are not supported; nothing was written");
    expect(failed.stderr).toContain("#/components/schemas/NotString/not: `not` schemas");
    expect(failed.stderr).toContain("#/paths/~1bad-param/get/parameters/0/content:");
    expect(existsSync(out)).toBe(false);

    const result = execFileSync(
      process.execPath,
      [cli, "--input", path, "--target", "typescript", "--out", out, "--skip-unsupported"],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
    expect(result).toMatch(/4 skipped, listed in the README/);
    expect(readFileSync(join(out, "README.md"), "utf8")).toContain("operation `GET /bad-schema (getBad)`");
  }, 60_000);

  it("warns about a security requirement naming an undefined scheme and goes on", () => {
    const path = docPath(`openapi: 3.0.3
info: {title: Broken, version: '1'}
security: [{missing: []}]
paths:
  /x:
    get:
      responses:
        '204': {description: none}
`);
    const out = join(writeTree({}), "out");
    const run = spawnSync(process.execPath, [cli, "--input", path, "--target", "python", "--out", out], {
      encoding: "utf8",
    });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('codegen: warning: #/security/0/missing: security scheme "missing" is not defined');
  }, 60_000);
});
