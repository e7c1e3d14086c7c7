/** Print the named IR of a document as JSON: node scripts/dump.ts <openapi.yaml> */
import { generateIR } from "../src/index.ts";

const path = process.argv[2];
if (!path) {
  console.error("usage: node scripts/dump.ts <openapi.yaml|json>");
  process.exit(2);
}
console.log(JSON.stringify(generateIR(path), null, 2));
