// Entry point: `pnpm start` / tools/scripts/start.sh. Flags and environment variables: see config.ts.
import { existsSync } from "node:fs";
import type { Server } from "node:http";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import type { WebSocket } from "ws";
import { keysCommand } from "./admin/keys-command.ts";
import { TrustedProxies } from "./auth/client-address.ts";
import { type Config, ConfigError, loadConfig, settings } from "./config.ts";
import { DeliveryPool } from "./events/delivery-pool.ts";
import { attachWebSocketEndpoint } from "./events/ws-server.ts";
import { limitConnectionsPerAddress } from "./http/connection-limit.ts";
import { createServerWith } from "./http/fast-read.ts";
import type { Log } from "./http/observe.ts";
import { asyncSink } from "./observability/async-sink.ts";
import { jsonLog } from "./observability/json-log.ts";
import { lineBuffer } from "./observability/line-buffer.ts";
import { prettyLog } from "./observability/pretty-log.ts";
import { buildServer, SERVER_NAME, SERVER_VERSION } from "./server.ts";
import { startBanner } from "./start-banner.ts";
import { describeStartupError, redactedUrl, type StartupPhase } from "./startup-errors.ts";

// `tka-server keys ...`: the key management command (admin/keys-command.ts), then exit.
if (process.argv[2] === "keys") {
  let status = 1;
  try {
    status = await keysCommand(process.argv.slice(3), process.env, { out: (text) => console.log(text) });
  } catch (error) {
    const usage = error instanceof ConfigError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS_");
    const line = usage ? (error as Error).message : describeStartupError(error, "open", {});
    console.error(`tka-server keys: ${line}`);
  }
  process.exit(status);
}

if (process.argv.includes("--help")) {
  console.log("usage: tka-server [options]        start the server");
  console.log("       tka-server keys --help      manage API keys (create, list, revoke)\n");
  for (const s of settings) console.log(`  --${s.flag.padEnd(15)} ${s.env.padEnd(15)} ${s.help}`);
  process.exit(0);
}

/** Flushes the batched log lines (set once the log exists). */
let flushLog = () => {};

/**
 * A failure at start is one line naming what to fix (startup-errors.ts), then exit 1; the error
 * itself, with its stack, only at LOG_LEVEL=debug.
 */
function cannotStart(error: unknown, phase: StartupPhase, context: Partial<Config>): never {
  flushLog();
  // One line, whatever it quotes (a hostile setting, a multi-line driver message), of bounded length.
  const line = describeStartupError(error, phase, context).replace(/\p{Cc}+/gu, " ");
  console.error(`tka-server: ${line.length > 300 ? `${line.slice(0, 300)}...` : line}`);
  if ((context.logLevel ?? process.env.LOG_LEVEL) === "debug") console.error(error);
  process.exit(1);
}

function readConfig(): Config {
  try {
    return loadConfig(process.argv.slice(2), process.env);
  } catch (error) {
    return cannotStart(error, "configure", {});
  }
}
const config = readConfig();

// Log lines go out in batches (see line-buffer.ts); anything printed directly flushes them first,
// and so does any exit (graceful shutdown, process.exit, an uncaught error): nothing is lost.
// The batches are written from libuv's thread pool (observability/async-sink.ts): a slow reader
// of the standard output never blocks requests.
const stdout = asyncSink({
  fd: 1,
  onDropped: (batches) => log({ level: "warn", msg: "log lines dropped: the output was not read", batches }),
});
const lines = lineBuffer({ sink: stdout.write });
flushLog = () => {
  lines.flush();
  stdout.flushSync();
};
process.on("exit", () => flushLog());
const print = (text: string) => {
  flushLog();
  console.log(text);
};
// JSON for files, pipes and collectors; readable lines for a person at a terminal (LOG_FORMAT).
const terminal = process.stdout.isTTY === true;
const log: Log =
  (config.logFormat ?? (terminal ? "pretty" : "json")) === "pretty"
    ? prettyLog({ level: config.logLevel, write: lines.write, colour: terminal && !process.env.NO_COLOR })
    : jsonLog({ level: config.logLevel, write: lines.write });

const { app, fastPath, metricsApp, store, hub, dispatcher, sseStreams, firstKey, web, retention } = await buildServer(
  config,
  log,
).catch((error: unknown) => cannotStart(error, "open", config));
if (firstKey !== null) {
  // Printed once: the key is also in the data directory, readable by this user only.
  print(
    `\n  First start: created an API key for project "default":\n\n    ${firstKey}\n\n  (saved in ${config.dataDir}/api-key)\n`,
  );
}

// Slow and idle clients: headers and whole requests must arrive in time (408 and closed
// otherwise), checked every second rather than Node's 30; connections per address capped.
const server = serve(
  {
    fetch: app.fetch,
    hostname: config.host,
    port: config.port,
    // Cached sequence reads first, through node:http directly (http/fast-read.ts); the rest to Hono.
    createServer: createServerWith(fastPath),
    serverOptions: {
      headersTimeout: config.listener.headersTimeoutMs,
      requestTimeout: config.listener.requestTimeoutMs,
      connectionsCheckingInterval: 1000,
    },
  },
  (address) => {
    server.off("error", failedToListen);
    server.on("error", (error) => log({ level: "error", msg: "server error", error: String(error) }));
    // For people: where everything is (plain lines; scripts skip them and read the JSON line).
    const keyFile = join(config.dataDir, "api-key");
    print(
      startBanner({
        name: SERVER_NAME,
        version: SERVER_VERSION,
        host: config.host,
        port: address.port,
        keyFile: existsSync(keyFile) ? keyFile : undefined,
        keyCreatedNow: firstKey !== null,
        environmentKeys: config.apiKeys.length,
        database: redactedUrl(config.databaseUrl),
        webBuilt: web !== undefined,
      }).join("\n"),
    );
    // Always printed, whatever the log level: scripts and tests read the URL from it.
    print(
      JSON.stringify({
        time: new Date().toISOString(),
        level: "info",
        msg: "listening",
        url: `http://${config.host}:${address.port}`,
        database: redactedUrl(config.databaseUrl),
      }),
    );
  },
);
if (config.listener.maxConnectionsPerAddress > 0) {
  const proxies = new TrustedProxies(config.trustProxy);
  limitConnectionsPerAddress(server as Server, {
    maxPerAddress: config.listener.maxConnectionsPerAddress,
    exempt: (address) => proxies.isTrusted(address),
  });
}
// A port in use (or another listen failure) is a start-up failure: one line, exit 1.
const failedToListen = (error: Error) => cannotStart(error, "listen", config);
server.once("error", failedToListen);

// METRICS_ADDRESS: /metrics on a listener of its own (see observability/metrics-route.ts).
const metricsAt = config.metricsAddress;
const metricsServer =
  metricsApp === undefined || metricsAt === undefined
    ? undefined
    : serve({ fetch: metricsApp.fetch, hostname: metricsAt.host, port: metricsAt.port }, (address) => {
        print(
          JSON.stringify({
            time: new Date().toISOString(),
            level: "info",
            msg: "metrics listening",
            url: `http://${metricsAt.host.includes(":") ? `[${metricsAt.host}]` : metricsAt.host}:${address.port}/metrics`,
          }),
        );
      });
metricsServer?.once("error", (error) => cannotStart(error, "listen", { ...config, ...metricsAt }));
// DELIVERY_PROCESSES: WebSocket sockets live in child processes that write their live events
// (events/delivery-pool.ts); this process keeps the connections' logic.
const pool =
  config.deliveryProcesses > 0
    ? new DeliveryPool({
        processes: config.deliveryProcesses,
        maxMessageBytes: config.wsMaxMessageBytes,
        sendBufferBytes: config.eventSendBufferBytes,
        accept: (socket, request, requestId) => hub.accept(socket as unknown as WebSocket, request, requestId),
        log,
      })
    : undefined;
const websockets = attachWebSocketEndpoint(server as Server, {
  hub,
  maxMessageBytes: config.wsMaxMessageBytes,
  pool,
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
    metricsServer?.close();
    server.close(async () => {
      await retention.stop();
      pool?.close();
      await store.close();
      log({ level: "info", msg: "stopped" });
      process.exit(0);
    });
    if ("closeIdleConnections" in server) (server as { closeIdleConnections(): void }).closeIdleConnections();
  });
}
