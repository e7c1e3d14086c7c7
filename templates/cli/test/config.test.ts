import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configPath, permissionWarning, readConfig, redact, resolveSettings, writeConfig } from "../runtime/config.ts";
import { UsageError } from "../runtime/errors.ts";
import { definition, memoryIO } from "./fixture.ts";

const { program } = definition();
const home = () => mkdtempSync(join(tmpdir(), "cli-config-"));

describe("settings", () => {
  it("take the flag, then the environment, then the profile, then the default", () => {
    const config = {
      profiles: { default: { base_url: "http://profile:1", api_key: "profile-key" }, ci: { base_url: "http://ci:2" } },
    };
    const env = { THING_BASE_URL: "http://env:3", THING_API_KEY: "env-key" };
    const { io } = memoryIO(env, home());
    expect(resolveSettings(program, io, { baseURL: "http://flag:4", apiKey: "flag-key" }, config)).toMatchObject({
      baseURL: "http://flag:4",
      apiKey: "flag-key",
      sources: { baseURL: "flag", apiKey: "flag" },
    });
    expect(resolveSettings(program, io, {}, config)).toMatchObject({
      baseURL: "http://env:3",
      sources: { apiKey: "environment" },
    });
    const bare = memoryIO({}, home()).io;
    expect(resolveSettings(program, bare, {}, config)).toMatchObject({
      baseURL: "http://profile:1",
      apiKey: "profile-key",
    });
    expect(resolveSettings(program, bare, { profile: "ci" }, config)).toMatchObject({
      profile: "ci",
      baseURL: "http://ci:2",
      apiKey: undefined,
      sources: { apiKey: "none" },
    });
    expect(resolveSettings(program, memoryIO({ THING_PROFILE: "ci" }, home()).io, {}, config).profile).toBe("ci");
    expect(resolveSettings(program, bare, {}, { profiles: {} })).toMatchObject({
      baseURL: "http://127.0.0.1:9999",
      sources: { baseURL: "default" },
    });
  });

  it("refuse a profile that does not exist and a base URL that is not http(s)", () => {
    const { io } = memoryIO({}, home());
    expect(() => resolveSettings(program, io, { profile: "nope" }, { profiles: {} })).toThrow(/no profile "nope"/);
    expect(() => resolveSettings(program, io, { baseURL: "localhost:8080" }, { profiles: {} })).toThrow(
      /must start with http/,
    );
    expect(() => resolveSettings(program, io, { baseURL: "not a url" }, { profiles: {} })).toThrow(/is not a URL/);
  });

  it("live in ~/.config/<program>/config.json, or XDG_CONFIG_HOME, or <PREFIX>_CONFIG", () => {
    expect(configPath(program, memoryIO({}, "/h").io)).toBe("/h/.config/thing/config.json");
    expect(configPath(program, memoryIO({ XDG_CONFIG_HOME: "/x" }, "/h").io)).toBe("/x/thing/config.json");
    expect(configPath(program, memoryIO({ THING_CONFIG: "/c.json" }, "/h").io)).toBe("/c.json");
  });
});

describe("the config file", () => {
  it("is written readable by its owner only, and read back", () => {
    const path = join(home(), "deep", "thing", "config.json");
    writeConfig(path, { profiles: { default: { api_key: "k" } } });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readConfig(path)).toEqual({ profiles: { default: { api_key: "k" } } });
    expect(permissionWarning(path, readConfig(path))).toBeUndefined();
  });

  it("warns when a file holding keys is readable by others", () => {
    const path = join(home(), "config.json");
    writeFileSync(path, JSON.stringify({ profiles: { default: { api_key: "k" } } }), { mode: 0o644 });
    expect(permissionWarning(path, readConfig(path))).toMatch(/readable by others \(mode 644\); run chmod 600/);
  });

  it("is empty when absent; a broken one is a usage error naming the file", () => {
    expect(readConfig(join(home(), "absent.json"))).toEqual({ profiles: {} });
    const path = join(home(), "broken.json");
    writeFileSync(path, "{ nope");
    expect(() => readConfig(path)).toThrow(UsageError);
    expect(() => readConfig(path)).toThrow(/broken.json is not valid JSON/);
    writeFileSync(path, "[]");
    expect(() => readConfig(path)).toThrow(/has no "profiles" object/);
  });

  it("keys are shown redacted", () => {
    expect(redact("abcdefghijkl")).toBe("****ijkl");
    expect(redact("short")).toBe("****");
    expect(redact(undefined)).toBe("(none)");
  });
});
