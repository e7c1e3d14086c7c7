// Starts the peer server (peer-server.ts) in a process of its own for a benchmark in this folder:
// its base URL once it listens, and a stop function.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";

export async function startPeer(): Promise<{ base: string; stop: () => void }> {
  const server = spawn(process.execPath, [join(import.meta.dirname, "peer-server.ts")], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("exit", (code) => reject(new Error(`the peer server exited (${code})`)));
    createInterface({ input: server.stdout }).on("line", (line) => {
      const m = /^listening (\d+)$/.exec(line);
      if (m) resolve(Number(m[1]));
    });
  });
  return { base: `http://127.0.0.1:${port}`, stop: () => server.kill("SIGTERM") };
}
