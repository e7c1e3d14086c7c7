// The server's settings: each from a flag, else an environment variable, else its default, and
// validated at start so a bad value stops the server with a message naming the setting.
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseTrustedProxy } from "./auth/client-address.ts";
import { MIN_EVENT_RETENTION_MS, type RetentionPolicy } from "./events/retention.ts";

export type LogLevel = "debug" | "info" | "warn" | "error";
/** `pretty`: one readable line per entry (for people at a terminal); `json`: one JSON object per line. */
export type LogFormat = "json" | "pretty";

export interface Config {
  host: string;
  port: number;
  logLevel: LogLevel;
  /** Unset: pretty when stdout is a terminal, JSON otherwise (main.ts decides). */
  logFormat: LogFormat | undefined;
  dataDir: string;
  databaseUrl: string;
  corsOrigins: string[];
  /** Keys to make sure exist at start: `project=key` pairs. */
  apiKeys: { projectId: string; key: string }[];
  bodyLimitBytes: number;
  historyLimit: number;
  eventRetention: RetentionPolicy;
  rateLimit: { capacity: number; refillPerSecond: number };
  idempotencyTtlMs: number;
  /** Probing the database while the circuit is open (resilience/circuit-breaker.ts). */
  breaker: { minProbeDelayMs: number; maxProbeDelayMs: number; probeTimeoutMs: number };
  shutdownGraceMs: number;
  /** The secret API key hashes are keyed with; unset: generated into the data directory. */
  apiKeySecret: string | undefined;
  /** Unknown API keys accepted per client address before 429 (a token bucket). */
  authFailureLimit: { capacity: number; refillPerSecond: number };
  /** Reverse proxies (addresses, CIDR blocks) whose X-Forwarded-For names the client (auth/client-address.ts). */
  trustProxy: string[];
  /** A bearer token /metrics asks for (unset: none). */
  metricsToken: string | undefined;
  /** Where /metrics is served instead of the main listener (unset: the main listener). */
  metricsAddress: { host: string; port: number } | undefined;
  /** Limits of JSON request bodies, checked while parsing (413 beyond; see docs/hardening.md). */
  jsonLimits: { maxDepth: number; maxMembers: number; maxStringLength: number };
  /** The largest WebSocket message a client may send (bytes); beyond it the connection closes 1009. */
  wsMaxMessageBytes: number;
  /** Unsent event bytes a subscriber may have before it is disconnected as a slow consumer. */
  eventSendBufferBytes: number;
  /** WebSocket delivery processes (events/delivery-pool.ts); 0: connections are served in this process. */
  deliveryProcesses: number;
  /** The built web app served at / (unset: packages/web/dist of this checkout). */
  webDir: string | undefined;
  /** PostgreSQL: the longest wait for one database round trip, in ms (store/postgres/connection.ts). */
  databaseTimeoutMs: number;
  /** The HTTP listener's bounds on slow and idle clients (see docs/hardening.md). */
  listener: {
    /** A request's headers must arrive within this (ms). */
    headersTimeoutMs: number;
    /** A whole request, body included, must arrive within this (ms). */
    requestTimeoutMs: number;
    /** Connections one client address may have open at once (0: no cap). */
    maxConnectionsPerAddress: number;
  };
}

export class ConfigError extends Error {}

interface Setting {
  flag: string;
  env: string;
  help: string;
}

/** Every setting, for --help and the README. */
export const settings: readonly Setting[] = [
  { flag: "host", env: "HOST", help: "interface to listen on (127.0.0.1)" },
  { flag: "port", env: "PORT", help: "port to listen on (8080; 0 picks a free one)" },
  { flag: "log-level", env: "LOG_LEVEL", help: "debug | info | warn | error (info)" },
  { flag: "log-format", env: "LOG_FORMAT", help: "json | pretty (pretty on a terminal, json otherwise)" },
  { flag: "data-dir", env: "DATA_DIR", help: "directory for the database and the first API key (./data)" },
  { flag: "database-url", env: "DATABASE_URL", help: "sqlite:<file> or postgres://... (sqlite:<data-dir>/tka.db)" },
  { flag: "cors-origins", env: "CORS_ORIGINS", help: "comma-separated allowed origins (none)" },
  { flag: "api-keys", env: "API_KEYS", help: "comma-separated project=key pairs to accept (none)" },
  { flag: "body-limit", env: "BODY_LIMIT", help: "largest request body in bytes (1048576)" },
  { flag: "history-limit", env: "HISTORY_LIMIT", help: "undo entries kept per sequence (1000)" },
  { flag: "rate-limit", env: "RATE_LIMIT", help: "capacity/refill-per-second of each key's token bucket (100/10)" },
  { flag: "event-retention", env: "EVENT_RETENTION", help: "age after which change events are pruned, >= 24h (7d)" },
  {
    flag: "event-max-count",
    env: "EVENT_MAX_COUNT",
    help: "change events kept at most, beyond a day old (0: no limit)",
  },
  {
    flag: "api-key-secret",
    env: "API_KEY_SECRET",
    help: "secret (>= 32 chars) keying the stored API key hashes; the same on every instance of one database (generated into <data-dir>/key-secret)",
  },
  {
    flag: "auth-failure-limit",
    env: "AUTH_FAILURE_LIMIT",
    help: "unknown API keys per client address: capacity/refill-per-second, then 429 (10/0.2)",
  },
  {
    flag: "trust-proxy",
    env: "TRUST_PROXY",
    help: "comma-separated addresses or CIDR blocks of reverse proxies whose X-Forwarded-For names the client (none)",
  },
  {
    flag: "metrics-token",
    env: "METRICS_TOKEN",
    help: "bearer token (>= 16 chars) required for /metrics (none)",
  },
  {
    flag: "metrics-address",
    env: "METRICS_ADDRESS",
    help: "host:port serving /metrics instead of the main listener (none; without it or a token, /metrics is served only when HOST is loopback)",
  },
  { flag: "json-max-depth", env: "JSON_MAX_DEPTH", help: "deepest nesting of a JSON body (64)" },
  {
    flag: "json-max-members",
    env: "JSON_MAX_MEMBERS",
    help: "object members plus array elements in a JSON body (10000)",
  },
  {
    flag: "json-max-string-length",
    env: "JSON_MAX_STRING_LENGTH",
    help: "longest string or member name in a JSON body, in characters (100000)",
  },
  { flag: "ws-max-message", env: "WS_MAX_MESSAGE", help: "largest WebSocket client message in bytes (65536)" },
  {
    flag: "event-send-buffer",
    env: "EVENT_SEND_BUFFER",
    help: "unsent event bytes per subscriber before it is cut off as a slow consumer (1048576)",
  },
  {
    flag: "delivery-processes",
    env: "DELIVERY_PROCESSES",
    help: "child processes owning the WebSocket connections' sockets: a number, or auto (one per core but one) (0: none)",
  },
  { flag: "web-dir", env: "WEB_DIR", help: "the built web app served at / (packages/web/dist)" },
  {
    flag: "headers-timeout",
    env: "HEADERS_TIMEOUT",
    help: "ms within which a request's headers must have arrived, else 408 and closed (10000)",
  },
  {
    flag: "request-timeout",
    env: "REQUEST_TIMEOUT",
    help: "ms within which a whole request, body included, must have arrived, else 408 and closed (60000)",
  },
  {
    flag: "max-connections-per-ip",
    env: "MAX_CONNECTIONS_PER_IP",
    help: "open connections per client address (IPv6: per /64), beyond them 429 and closed; trusted proxies exempt (256; 0: no cap)",
  },
  {
    flag: "database-timeout",
    env: "DATABASE_TIMEOUT",
    help: "PostgreSQL: longest wait in ms for a statement, a connection or an answer, then 503 (5000)",
  },
];

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A value as an error message quotes it: escaped (one line), and at most 60 characters of it. */
function shown(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}...` : text);
}

/** `90m`, `36h`, `7d` -> milliseconds, at least the contract's 24 hours and at most 100 years. */
function retentionAge(text: string, setting: Setting): number {
  const match = /^(\d{1,7})([mhd])$/.exec(text);
  const ms = match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : Number.NaN;
  if (!(ms >= MIN_EVENT_RETENTION_MS && ms <= 36_500 * UNIT_MS.d)) {
    throw new ConfigError(
      `${setting.flag} is an age of at least 24h, like 36h or 7d (units m, h, d), got ${shown(text)} (--${setting.flag} or ${setting.env})`,
    );
  }
  return ms;
}

function integer(text: string, setting: Setting, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new ConfigError(
      `${setting.flag} must be an integer from ${min} to ${max}, got ${shown(text)} (--${setting.flag} or ${setting.env})`,
    );
  }
  return value;
}

/** A number of delivery processes, or `auto`: one per core but one, at least one. */
function deliveryProcesses(text: string, setting: Setting): number {
  if (text === "auto") return Math.max(1, availableParallelism() - 1);
  return integer(text, setting, 0, 64);
}

/** A token bucket, `capacity/refill-per-second`. */
function bucket(text: string, setting: Setting): { capacity: number; refillPerSecond: number } {
  const match = /^(\d{1,10})\/(\d{1,10}(?:\.\d{1,9})?)$/.exec(text);
  if (!match || Number(match[1]) < 1 || Number(match[2]) <= 0) {
    throw new ConfigError(
      `${setting.flag} is capacity/refill-per-second (at most 10 digits each), for example 10/0.2, got ${shown(text)} (--${setting.flag} or ${setting.env})`,
    );
  }
  return { capacity: Number(match[1]), refillPerSecond: Number(match[2]) };
}

function byFlag(flag: string): Setting {
  const setting = settings.find((s) => s.flag === flag);
  if (!setting) throw new Error(`unknown setting ${flag}`);
  return setting;
}

/** Reads and validates the configuration; throws a ConfigError naming the bad setting. */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): Config {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(settings.map((s) => [s.flag, { type: "string" as const }])),
    strict: true,
  });
  const get = (flag: string, fallback: string): string => {
    const value = values[flag] ?? env[byFlag(flag).env];
    return typeof value === "string" && value !== "" ? value : fallback;
  };

  const logLevel = get("log-level", "info");
  if (!["debug", "info", "warn", "error"].includes(logLevel)) {
    throw new ConfigError(
      `log-level must be one of debug, info, warn, error, got ${shown(logLevel)} (--log-level or LOG_LEVEL)`,
    );
  }
  const logFormat = get("log-format", "") || undefined;
  if (logFormat !== undefined && logFormat !== "json" && logFormat !== "pretty") {
    throw new ConfigError(`log-format must be json or pretty, got ${shown(logFormat)} (--log-format or LOG_FORMAT)`);
  }
  const dataDir = get("data-dir", "./data");
  const databaseUrl = get("database-url", `sqlite:${join(dataDir, "tka.db")}`);
  if (!/^sqlite:.+/.test(databaseUrl) && !/^postgres(ql)?:\/\/.+/.test(databaseUrl)) {
    throw new ConfigError(
      `database-url must be sqlite:<file> or postgres://user@host:port/db, got ${shown(databaseUrl)} (--database-url or DATABASE_URL)`,
    );
  }
  const corsOrigins = get("cors-origins", "")
    .split(",")
    .map((o) => o.trim())
    .filter(Boolean);
  for (const origin of corsOrigins) {
    // scheme://host[:port]: a DNS name (at most 253 characters), an IPv4 or a bracketed IPv6 address.
    if (
      !/^https?:\/\/(?:[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/.test(
        origin,
      ) ||
      origin.length > 270
    ) {
      throw new ConfigError(
        `cors-origins entries look like https://app.example, got ${shown(origin)} (--cors-origins or CORS_ORIGINS)`,
      );
    }
  }
  const apiKeys = get("api-keys", "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)
    .map((pair) => {
      const match = /^([A-Za-z0-9_-]{1,64})=(\S{16,})$/.exec(pair);
      if (!match) {
        throw new ConfigError(
          "api-keys entries are project=key with a key of at least 16 characters (--api-keys or API_KEYS)",
        );
      }
      return { projectId: match[1] as string, key: match[2] as string };
    });
  const apiKeySecret = get("api-key-secret", "") || undefined;
  if (apiKeySecret !== undefined && apiKeySecret.length < 32) {
    throw new ConfigError("api-key-secret must be at least 32 characters (--api-key-secret or API_KEY_SECRET)");
  }
  const trustProxy = get("trust-proxy", "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of trustProxy) {
    try {
      parseTrustedProxy(entry);
    } catch (error) {
      throw new ConfigError(`trust-proxy: ${(error as Error).message} (--trust-proxy or TRUST_PROXY)`);
    }
  }
  const metricsToken = get("metrics-token", "") || undefined;
  if (metricsToken !== undefined && !/^[\x21-\x7E]{16,}$/.test(metricsToken)) {
    throw new ConfigError(
      "metrics-token must be at least 16 visible ASCII characters (--metrics-token or METRICS_TOKEN)",
    );
  }
  const metricsAddressText = get("metrics-address", "");
  let metricsAddress: Config["metricsAddress"];
  if (metricsAddressText !== "") {
    const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(metricsAddressText);
    if (!match || Number(match[3]) > 65535) {
      throw new ConfigError(
        `metrics-address is host:port, like 127.0.0.1:9464 or [::1]:9464, got ${shown(metricsAddressText)} (--metrics-address or METRICS_ADDRESS)`,
      );
    }
    metricsAddress = { host: (match[1] ?? match[2]) as string, port: Number(match[3]) };
  }

  return {
    host: get("host", "127.0.0.1"),
    port: integer(get("port", "8080"), byFlag("port"), 0, 65535),
    logLevel: logLevel as LogLevel,
    logFormat,
    dataDir,
    databaseUrl,
    corsOrigins,
    apiKeys,
    bodyLimitBytes: integer(get("body-limit", "1048576"), byFlag("body-limit"), 1024, 100 * 1024 * 1024),
    historyLimit: integer(get("history-limit", "1000"), byFlag("history-limit"), 1, 1_000_000),
    eventRetention: {
      maxAgeMs: retentionAge(get("event-retention", "7d"), byFlag("event-retention")),
      maxCount: integer(get("event-max-count", "0"), byFlag("event-max-count"), 0, 1_000_000_000_000),
    },
    rateLimit: bucket(get("rate-limit", "100/10"), byFlag("rate-limit")),
    idempotencyTtlMs: 24 * 60 * 60 * 1000,
    breaker: { minProbeDelayMs: 250, maxProbeDelayMs: 1000, probeTimeoutMs: 2000 },
    shutdownGraceMs: 10_000,
    apiKeySecret,
    authFailureLimit: bucket(get("auth-failure-limit", "10/0.2"), byFlag("auth-failure-limit")),
    trustProxy,
    metricsToken,
    metricsAddress,
    jsonLimits: {
      maxDepth: integer(get("json-max-depth", "64"), byFlag("json-max-depth"), 2, 1000),
      maxMembers: integer(get("json-max-members", "10000"), byFlag("json-max-members"), 100, 10_000_000),
      maxStringLength: integer(
        get("json-max-string-length", "100000"),
        byFlag("json-max-string-length"),
        100,
        100 * 1024 * 1024,
      ),
    },
    wsMaxMessageBytes: integer(get("ws-max-message", "65536"), byFlag("ws-max-message"), 1024, 16 * 1024 * 1024),
    eventSendBufferBytes: integer(
      get("event-send-buffer", "1048576"),
      byFlag("event-send-buffer"),
      64 * 1024,
      1024 * 1024 * 1024,
    ),
    deliveryProcesses: deliveryProcesses(get("delivery-processes", "0"), byFlag("delivery-processes")),
    webDir: get("web-dir", "") || undefined,
    databaseTimeoutMs: integer(get("database-timeout", "5000"), byFlag("database-timeout"), 100, 600_000),
    listener: listenerBounds(get),
  };
}

function listenerBounds(get: (flag: string, fallback: string) => string): Config["listener"] {
  const headersTimeoutMs = integer(get("headers-timeout", "10000"), byFlag("headers-timeout"), 1000, 3_600_000);
  const requestTimeoutMs = integer(get("request-timeout", "60000"), byFlag("request-timeout"), 1000, 3_600_000);
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError(
      `headers-timeout (${headersTimeoutMs}) must not exceed request-timeout (${requestTimeoutMs}) (HEADERS_TIMEOUT, REQUEST_TIMEOUT or their flags)`,
    );
  }
  const maxConnectionsPerAddress = integer(
    get("max-connections-per-ip", "256"),
    byFlag("max-connections-per-ip"),
    0,
    1_000_000,
  );
  return { headersTimeoutMs, requestTimeoutMs, maxConnectionsPerAddress };
}
