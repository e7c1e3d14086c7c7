// Entry point: `pnpm start` / tools/scripts/start.sh. Flags and environment variables: see config.ts.
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { ConfigError, loadConfig, settings } from "./config.ts";
import { attachWebSocketEndpoint } from "./events/ws-server.ts";
import type { Log } from "./http/observe.ts";
import { jsonLog } from "./observability/json-log.ts";
import { lineBuffer } from "./observability/line-buffer.ts";
import { buildServer } from "./server.ts";

if (process.argv.includes("--help")) {
  console.log("usage: tka-server [options]\n");
  for (const s of settings) console.log(`  --${s.flag.padEnd(15)} ${s.env.padEnd(15)} ${s.help}`);
  process.exit(0);
}

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof ConfigError) && !(error instanceof TypeError)) throw error;
  console.error(`tka-server: invalid configuration: ${error.message}`);
  process.exit(2);
}

// Log lines go out in batches (see line-buffer.ts); anything printed directly flushes them first,
// and so does any exit (graceful shutdown, process.exit, an uncaught error): nothing is lost.
const lines = lineBuffer({ sink: (chunk) => process.stdout.write(chunk) });
process.on("exit", () => lines.flush());
const print = (text: string) => {
  lines.flush();
  console.log(text);
};
const log: Log = jsonLog({ level: config.logLevel, write: lines.write });

const { app, store, hub, dispatcher, sseStreams, firstKey, retention } = await buildServer(config, log);
if (firstKey !== null) {
  // Printed once: the key is also in the data directory, readable by this user only.
  print(
    `\n  First start: created an API key for project "default":\n\n    ${firstKey}\n\n  (saved in ${config.dataDir}/api-key)\n`,
  );
}

const server = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, (address) => {
  // Always printed, whatever the log level: scripts and tests read the URL from it.
  print(
    JSON.stringify({
      time: new Date().toISOString(),
      level: "info",
      msg: "listening",
      url: `http://${config.host}:${address.port}`,
      database: config.databaseUrl,
    }),
  );
});
const websockets = attachWebSocketEndpoint(server as Server, {
  hub,
  maxMessageBytes: config.wsMaxMessageBytes,
});

// Graceful shutdown: stop accepting, let in-flight requests finish (bounded), close the database.
let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    if (stopping) return;
    stopping = true;
    log({ level: "info", msg: "shutting down", signal });
    // Event subscribers reconnect elsewhere (or here, later) and resume from their last id.
    websockets.closeAll(1001, "server shutting down");
    sseStreams.closeAll();
    dispatcher.close();
    const force = setTimeout(() => process.exit(1), config.shutdownGraceMs);
    force.unref();
    server.close(async () => {
      await retention.stop();
      await store.close();
      log({ level: "info", msg: "stopped" });
      process.exit(0);
    });
    if ("closeIdleConnections" in server) (server as { closeIdleConnections(): void }).closeIdleConnections();
  });
}
