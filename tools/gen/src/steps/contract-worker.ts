// The TypeSpec compile of contract.ts in a worker thread (started by startContract): posts
// { result } or { error }.
import { parentPort } from "node:worker_threads";
import { fastStart } from "@tka/codegen/src/startup.ts";

fastStart();
const { compileContract } = await import("./contract.ts");
try {
  parentPort?.postMessage({ result: await compileContract() });
} catch (error) {
  parentPort?.postMessage({ error: error instanceof Error ? error.message : String(error) });
}
