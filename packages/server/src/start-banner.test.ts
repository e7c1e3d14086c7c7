import { describe, expect, it } from "vitest";
import { browsableOrigin, startBanner } from "./start-banner.ts";

const facts = {
  name: "tka-server",
  version: "0.1.0",
  host: "127.0.0.1",
  port: 8080,
  keyFile: "data/api-key",
  keyCreatedNow: false,
  environmentKeys: 0,
  database: "sqlite:data/tka.db",
  webBuilt: true,
};

describe("startBanner", () => {
  it("names the web app, the docs, the contract and where the key is kept", () => {
    const text = startBanner(facts).join("\n");
    expect(text).toContain("http://127.0.0.1:8080/\n");
    expect(text).toContain("http://127.0.0.1:8080/docs");
    expect(text).toContain("http://127.0.0.1:8080/openapi.json");
    expect(text).toContain('kept in data/api-key (project "default")');
    // Scripts read the JSON line printed after it and skip every other line.
    for (const line of startBanner(facts)) expect(line.trimStart().startsWith("{")).toBe(false);
  });

  it("says where keys come from when there is no key file, and when the app is not built", () => {
    const text = startBanner({ ...facts, keyFile: undefined, environmentKeys: 2, webBuilt: false }).join("\n");
    expect(text).toContain("from API_KEYS (2 keys)");
    expect(text).toContain("not built (pnpm -F @tka/web build");
    expect(startBanner({ ...facts, keyFile: undefined }).join("\n")).toContain("pnpm keys create");
  });

  it("gives a URL a person can open", () => {
    expect(browsableOrigin("0.0.0.0", 80)).toBe("http://localhost:80");
    expect(browsableOrigin("::1", 8080)).toBe("http://[::1]:8080");
    expect(browsableOrigin("example.test", 1)).toBe("http://example.test:1");
  });
});
