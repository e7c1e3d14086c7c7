// Entry point: `pnpm start` (flags: --host, --port, --log-level; env: HOST, PORT, LOG_LEVEL).
import { serve } from "@hono/node-server";
import { createApp } from "./app.ts";
import { ConfigError, loadConfig } from "./config.ts";

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof ConfigError) && !(error instanceof TypeError)) throw error;
  console.error(`tka-server: invalid configuration: ${error.message}`);
  process.exit(2);
}

const app = createApp({ name: "tka-server", version: "0.1.0", startedAt: new Date() });
const server = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, (address) => {
  console.log(JSON.stringify({ level: "info", msg: "listening", url: `http://${config.host}:${address.port}` }));
});

// Graceful shutdown: stop accepting, let in-flight requests finish, then exit.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.log(JSON.stringify({ level: "info", msg: "shutting down", signal }));
    server.close(() => process.exit(0));
  });
}
