import { parseArgs } from "node:util";

/** The server's configuration, from flags first, then environment variables, then defaults. */
export interface Config {
  host: string;
  port: number;
  logLevel: "debug" | "info" | "warn" | "error";
}

const logLevels = ["debug", "info", "warn", "error"] as const;

export class ConfigError extends Error {}

/** Reads and validates the configuration; throws a ConfigError naming the bad setting. */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): Config {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: "string" },
      port: { type: "string" },
      "log-level": { type: "string" },
    },
    strict: true,
  });
  const host = values.host ?? env.HOST ?? "127.0.0.1";
  const portText = values.port ?? env.PORT ?? "8080";
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    throw new ConfigError(`port must be an integer from 0 to 65535, got "${portText}" (--port or PORT)`);
  }
  const logLevel = values["log-level"] ?? env.LOG_LEVEL ?? "info";
  if (!(logLevels as readonly string[]).includes(logLevel)) {
    throw new ConfigError(
      `log level must be one of ${logLevels.join(", ")}, got "${logLevel}" (--log-level or LOG_LEVEL)`,
    );
  }
  return { host, port, logLevel: logLevel as Config["logLevel"] };
}
