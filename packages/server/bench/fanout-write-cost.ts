// What one socket write costs on this machine, apart from the server: the floor under the
// fan-out's CPU per delivery (issue 9). A sender process holds N loopback TCP connections (no
// Nagle, as ws sets them) to a reader process that reads and discards; it writes one buffer
// to each connection in turn, as a fan-out pass does, for passes of 1, 4, 16 and 64 frames of
// about 1 KB per write, and waits for every socket to drain between passes. Reported: the
// sender's CPU (user and system, process.cpuUsage) per write and per frame, the reader's CPU
// per frame (/proc), and the passes' wall time. Both processes share the machine's cores with
// whatever else runs: the load average is printed with the figures.
//
// Run: `node bench/fanout-write-cost.ts` in packages/server (BENCH_CONNECTIONS=1000,
// BENCH_FRAMES=1000 per connection and size). Figures go to bench/results/fanout-write-cost.json
// (BENCH_OUT another file) and to stdout.
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import { createInterface } from "node:readline";

const FRAME_BYTES = 1_024;

if (process.argv[2] === "reader") {
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    socket.resume();
    socket.on("error", () => {});
  });
  server.listen(0, "127.0.0.1", () => {
    console.log(JSON.stringify({ port: (server.address() as net.AddressInfo).port }));
  });
} else {
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 1_000);
  const framesPerConnection = Number(process.env.BENCH_FRAMES ?? 1_000);
  const reader = spawn(process.execPath, [import.meta.filename, "reader"], { stdio: ["ignore", "pipe", "inherit"] });
  // biome-ignore lint/style/noNonNullAssertion: stdio is "pipe"
  const lines = createInterface({ input: reader.stdout! });
  const port = await new Promise<number>((resolve) =>
    lines.once("line", (line) => resolve((JSON.parse(line) as { port: number }).port)),
  );
  const sockets: net.Socket[] = [];
  for (let i = 0; i < connections; i++) {
    const socket = net.connect(port, "127.0.0.1");
    socket.setNoDelay(true);
    await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    sockets.push(socket);
  }
  const procCpuMs = (pid: number | undefined) => {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10;
  };
  const drained = () =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (sockets.every((s) => s.writableLength === 0)) resolve();
        else setImmediate(check);
      };
      check();
    });
  const load = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");
  const rows: Record<string, number | string>[] = [];
  for (const perWrite of [1, 4, 16, 64]) {
    const buffer = Buffer.alloc(FRAME_BYTES * perWrite, 0x61);
    const passes = Math.max(1, Math.round(framesPerConnection / perWrite));
    await drained();
    const loadAtStart = load();
    const readerBefore = procCpuMs(reader.pid);
    const before = process.cpuUsage();
    const started = performance.now();
    let passMs = 0;
    for (let p = 0; p < passes; p++) {
      const t = performance.now();
      for (const socket of sockets) socket.write(buffer);
      passMs += performance.now() - t;
      await drained();
    }
    const wall = performance.now() - started;
    const used = process.cpuUsage(before);
    const writes = passes * connections;
    const frames = writes * perWrite;
    // The reader's last bytes: let it read them before its CPU is taken.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const readerMs = procCpuMs(reader.pid) - readerBefore;
    const row = {
      frames_per_write: perWrite,
      bytes_per_write: buffer.length,
      writes,
      sender_us_per_write: Math.round(((used.user + used.system) / writes) * 100) / 100,
      sender_system_share: Math.round((used.system / (used.user + used.system)) * 100) / 100,
      sender_us_per_frame: Math.round(((used.user + used.system) / frames) * 100) / 100,
      reader_us_per_frame: Math.round(((readerMs * 1000) / frames) * 100) / 100,
      pass_ms: Math.round((passMs / passes) * 100) / 100,
      wall_s: Math.round(wall) / 1000,
      load_average: loadAtStart,
    };
    rows.push(row);
    console.log(JSON.stringify(row));
  }
  for (const s of sockets) s.destroy();
  reader.kill();
  const file = process.env.BENCH_OUT ?? join(import.meta.dirname, "results", "fanout-write-cost.json");
  writeFileSync(
    file,
    `${JSON.stringify({ date: new Date().toISOString(), connections, frame_bytes: FRAME_BYTES, rows }, null, 2)}\n`,
  );
  console.log(`\n${connections} connections; sender CPU per write and per ~1 KB frame, reader CPU per frame`);
  console.log(
    "frames/write  bytes/write  sender us/write  system share  sender us/frame  reader us/frame  pass ms  load",
  );
  for (const r of rows) {
    console.log(
      [
        String(r.frames_per_write).padStart(12),
        String(r.bytes_per_write).padStart(12),
        String(r.sender_us_per_write).padStart(16),
        String(r.sender_system_share).padStart(13),
        String(r.sender_us_per_frame).padStart(16),
        String(r.reader_us_per_frame).padStart(16),
        String(r.pass_ms).padStart(8),
        ` ${r.load_average}`,
      ].join(" "),
    );
  }
  console.log(`written to ${file}`);
}
