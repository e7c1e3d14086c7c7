// One arm of the overhead probe in a loop, for outside tools (strace -c, --cpu-prof, --trace-gc)
// on one arm at a time: `node bench/loop.ts <base> <arm> <calls>`, against a running peer server
// (bench/peer-server.ts). Arms: raw (fetch with the SDK's headers, text, JSON.parse), sdk,
// sdkNoTimer (the SDK with timeout 0). Prints the CPU per call. Not a test.
import { TKA } from "../src/index.ts";

const [base = "", arm = "raw", callsArg = "20000"] = process.argv.slice(2);
const calls = Number(callsArg);
const url = `${base}/api/v1/health/live`;
const rawInit: RequestInit = {
  method: "GET",
  headers: { accept: "application/json", "x-api-key": "k", "user-agent": process.env.LOOP_UA ?? "tka-sdk-probe" },
};
const sdk = new TKA({ baseURL: base, apiKey: "k", maxRetries: 0, timeout: arm === "sdkNoTimer" ? 0 : undefined });
const call =
  arm === "raw"
    ? () =>
        fetch(url, rawInit)
          .then((r) => r.text())
          .then((t) => JSON.parse(t) as unknown)
    : () => sdk.health.getLiveness();
for (let i = 0; i < 2000; i++) await call(); // warm-up
const cpu0 = process.cpuUsage();
for (let i = 0; i < calls; i++) await call();
const cpu = process.cpuUsage(cpu0);
console.log(`${arm}: ${((cpu.user + cpu.system) / calls).toFixed(2)} us/call over ${calls} calls`);
