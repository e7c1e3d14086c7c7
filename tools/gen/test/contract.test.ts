// The contract step compiles spec/ in memory and hands the code generators the emitter's JSON of
// the 3.2 document instead of a parse of its YAML: the two must be the same value.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseText } from "@tka/codegen/src/loader/document.ts";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { repoRoot } from "../src/paths.ts";
import { compileContract } from "../src/steps/contract.ts";

describe("compileContract", () => {
  it("emits the committed documents; what the generators read is what parsing the YAML gives", async () => {
    const { documents } = await compileContract();
    expect(documents.map((d) => d.path)).toEqual([
      "generated/openapi/openapi.3.1.yaml",
      "generated/openapi/openapi.3.2.yaml",
    ]);
    for (const { path, text } of documents) expect(text).toBe(readFileSync(join(repoRoot, path), "utf8"));
    const v32 = documents[1]?.text as string;
    // From the parse cache the compile filled (the emitter's JSON), then from the YAML itself.
    expect(parseText(v32, "openapi.3.2.yaml")).toEqual(parse(v32));
  }, 120_000);
});
