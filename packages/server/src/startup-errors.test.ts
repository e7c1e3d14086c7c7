import { describe, expect, it } from "vitest";
import { ConfigError } from "./config.ts";
import { describeStartupError, redactedUrl } from "./startup-errors.ts";

const context = { host: "0.0.0.0", port: 80, dataDir: "/var/lib/tka", databaseUrl: "postgres://u:pw@db:5432/tka" };
const sys = (code: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${code} happened\n    at somewhere`), { code, ...extra });

describe("describeStartupError", () => {
  it("names the setting or file to look at, on one line", () => {
    expect(describeStartupError(new ConfigError("port must be..."), "configure", {})).toBe(
      "invalid configuration: port must be...",
    );
    expect(describeStartupError(sys("EACCES", { syscall: "listen" }), "listen", context)).toBe(
      "cannot listen on 0.0.0.0:80: permission denied (ports below 1024 need privileges)",
    );
    expect(describeStartupError(sys("EADDRNOTAVAIL"), "listen", context)).toMatch(/no such local address/);
    expect(describeStartupError(sys("ECONNREFUSED"), "open", context)).toBe(
      "cannot reach the database postgres://u:***@db:5432/tka: ECONNREFUSED happened at somewhere",
    );
    expect(describeStartupError(sys("28P01"), "open", context)).toMatch(/^the database .* refused the connection/);
    expect(describeStartupError(sys("EACCES", { path: "/var/lib/tka/tka.db" }), "open", context)).toBe(
      "cannot write the data directory /var/lib/tka: EACCES on /var/lib/tka/tka.db (set --data-dir or DATA_DIR)",
    );
    expect(describeStartupError(new Error("something\nelse"), "open", context)).toBe("cannot start: something else");
  });

  it("never prints a database password", () => {
    expect(redactedUrl("postgres://user:secret@host/db")).toBe("postgres://user:***@host/db");
    expect(redactedUrl("postgres://user@host/db")).toBe("postgres://user@host/db");
    expect(redactedUrl("sqlite:./data/tka.db")).toBe("sqlite:./data/tka.db");
    expect(redactedUrl("postgres://user:se cret@ho st/db")).toBe("postgres://user:***@ho st/db");
  });
});
