import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GeneratorError, generateIR } from "../src/index.ts";
import { CORPUS } from "./helpers.ts";

/** Each document in corpus/unsupported and the error it must raise. */
const EXPECTED: Record<string, { pointer: string; reason: RegExp }> = {
  "allof-different-types.yaml": {
    pointer: "/components/schemas/Impossible/allOf/0",
    reason: /no value matches them all/,
  },
  "bad-error-code.yaml": { pointer: "/paths/~1search/get/parameters/0/x-error-code", reason: /error code/ },
  "dynamic-ref-generic.yaml": {
    pointer: "/components/schemas/Page/properties/items/items/$dynamicRef",
    reason: /resolves differently per use \(2 `\$dynamicAnchor`s/,
  },
  "external-url-ref.yaml": { pointer: "/components/schemas/Remote/$ref", reason: /external URL \$ref/ },
  "if-then-else.yaml": { pointer: "/components/schemas/Conditional/if", reason: /conditional schemas/ },
  "non-component-recursion.yaml": {
    pointer: "/paths/~1loop/get/responses/200/content/application~1json/schema/properties/next/$ref",
    reason: /not a named schema/,
  },
  "not.yaml": { pointer: "/components/schemas/NotString/not", reason: /`not`/ },
  "openapi-4.yaml": { pointer: "/openapi", reason: /4\.0\.0" is not supported/ },
  "parameter-content.yaml": { pointer: "/paths/~1search/get/parameters/0/content", reason: /`content`/ },
  "pattern-properties.yaml": { pointer: "/components/schemas/Dict/patternProperties", reason: /patternProperties/ },
  "prefix-items.yaml": { pointer: "/components/schemas/Pair/prefixItems", reason: /tuple/ },
  "querystring-parameter.yaml": { pointer: "/paths/~1search/get/parameters/0/in", reason: /querystring/ },
  "swagger-2.yaml": { pointer: "/swagger", reason: /Swagger 2\.0/ },
};

const DIR = join(CORPUS, "unsupported");

describe("unsupported constructs are rejected with a JSON pointer", () => {
  it("every document in corpus/unsupported has an expectation", () => {
    expect(
      readdirSync(DIR)
        .filter((f) => f.endsWith(".yaml"))
        .sort(),
    ).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [file, want] of Object.entries(EXPECTED)) {
    it(file, () => {
      let error: unknown;
      try {
        generateIR(join(DIR, file));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(GeneratorError);
      const g = error as GeneratorError;
      expect(g.file).toBe("");
      expect(g.pointer).toBe(want.pointer);
      expect(g.reason).toMatch(want.reason);
      expect(g.message).toBe(`#${want.pointer}: ${g.reason}`);
    });
  }
});
