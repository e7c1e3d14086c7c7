// The breaking-change report of compat.ts, worked out in a worker thread (building the IRs of
// the released and the staged contract is a few hundred ms of CPU, on the other core while the
// code generators run). workerData: { contract, next }; posts the report's lines.
import { parentPort, workerData } from "node:worker_threads";
import { fastStart } from "@tka/codegen/src/startup.ts";

fastStart();
const { formatReport } = await import("@tka/release/src/compat/report.ts");
const { compatibility } = await import("@tka/release/src/released.ts");

const { contract, next } = workerData as { contract: string; next: Parameters<typeof compatibility>[1] };
const { release, checks, report } = compatibility(contract, next);
parentPort?.postMessage([
  `  since the release of ${release.date} (${release.commit}), per SDK:`,
  ...formatReport(report, checks),
]);
