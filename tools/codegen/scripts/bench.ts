import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { buildIR } from "../src/ir/index.ts";
import { loadDocument } from "../src/loader/index.ts";
import { applyNaming } from "../src/naming/index.ts";

const p = "/work/main/generated/openapi/openapi.3.2.yaml";
for (let i = 0; i < 5; i++) {
  const t0 = performance.now();
  const text = readFileSync(p, "utf8");
  parse(text);
  const t1 = performance.now();
  const doc = loadDocument(p);
  const t2 = performance.now();
  const ir = buildIR(doc);
  const t3 = performance.now();
  applyNaming(ir);
  const t4 = performance.now();
  console.log(
    `yaml ${(t1 - t0).toFixed(1)} load ${(t2 - t1).toFixed(1)} ir ${(t3 - t2).toFixed(1)} naming ${(t4 - t3).toFixed(1)} total(load+ir+naming) ${(t4 - t1).toFixed(1)}`,
  );
}
