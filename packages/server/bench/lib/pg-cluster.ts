// A private PostgreSQL cluster for a benchmark: its own data directory and port, so the CPU of
// its processes is this benchmark's alone (the shared test cluster serves other jobs too). Set
// up like tools/scripts/postgres.sh (loopback only, trust, fsync and synchronous_commit on,
// otherwise PostgreSQL's defaults; BENCH_PG_OPTIONS adds server options, e.g. `-c name=value`). Needs the PostgreSQL binaries and root (the server runs as
// the postgres user, which PostgreSQL requires) or the postgres user itself.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processCpuSeconds } from "./cpu.ts";

export interface Cluster {
  url: string;
  /** CPU seconds used so far by the cluster: the postmaster, its live children and the children it reaped. */
  cpuSeconds(): number;
  stop(): void;
}

function binDir(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const bin = join(root, version, "bin");
    if (existsSync(join(bin, "postgres"))) return bin;
  }
  throw new Error("no PostgreSQL binaries under /usr/lib/postgresql (tools/scripts/postgres.sh installs them)");
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

function childrenOf(parent: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === parent) children.push(Number(entry));
    } catch {
      // Exited while listing.
    }
  }
  return children;
}

export async function startCluster(): Promise<Cluster> {
  const bin = binDir();
  const root = mkdtempSync(join(tmpdir(), "tka-bench-pg-"));
  const data = join(root, "data");
  const asPostgres = (command: string, args: string[]) =>
    process.getuid?.() === 0
      ? execFileSync("runuser", ["-u", "postgres", "--", join(bin, command), ...args], { stdio: "pipe" })
      : execFileSync(join(bin, command), args, { stdio: "pipe" });
  chmodSync(root, 0o777);
  if (process.getuid?.() === 0) execFileSync("chown", ["postgres:", root]);
  asPostgres("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--locale=C"]);
  const port = await freePort();
  asPostgres("pg_ctl", [
    "start",
    "-D",
    data,
    "-l",
    join(root, "server.log"),
    "-w",
    "-t",
    "60",
    "-o",
    `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=on -c synchronous_commit=on -c max_connections=200 ${process.env.BENCH_PG_OPTIONS ?? ""}`,
  ]);
  const postmaster = Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    cpuSeconds: () =>
      processCpuSeconds(postmaster, true) +
      childrenOf(postmaster).reduce((sum, pid) => sum + processCpuSeconds(pid), 0),
    stop: () => {
      try {
        asPostgres("pg_ctl", ["stop", "-D", data, "-m", "fast", "-w"]);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    },
  };
}
