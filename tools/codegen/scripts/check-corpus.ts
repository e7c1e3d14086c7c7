/** Load every corpus document and print a one-line result (development aid). */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { generateIR } from "../src/index.ts";

const dir = new URL("../corpus/", import.meta.url).pathname;
for (const sub of ["", "unsupported"]) {
  for (const f of readdirSync(join(dir, sub))
    .filter((x) => x.endsWith(".yaml"))
    .sort()) {
    try {
      const ir = generateIR(join(dir, sub, f));
      console.log(`ok   ${join(sub, f)}: ${ir.models.length} models, ${ir.operations.length} operations`);
    } catch (e) {
      console.log(`fail ${join(sub, f)}: ${(e as Error).message}`);
    }
  }
}
