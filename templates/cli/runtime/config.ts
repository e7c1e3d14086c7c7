// Where the base URL and the API key come from, first match wins: the flag, the environment
// (`<PREFIX>_BASE_URL`, `<PREFIX>_API_KEY`), the profile in the config file, the default. The
// config file (`~/.config/<program>/config.json`, or `$XDG_CONFIG_HOME/<program>/config.json`,
// or `$<PREFIX>_CONFIG`) holds named profiles and is written with mode 600: it holds keys.
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { UsageError } from "./errors.ts";
import type { IO, ProgramSpec } from "./types.ts";

export interface Profile {
  base_url?: string;
  api_key?: string;
}

export interface ConfigFile {
  profiles: Record<string, Profile>;
}

export type Source = "flag" | "environment" | "profile" | "default" | "none";

export interface Settings {
  profile: string;
  baseURL: string;
  apiKey: string | undefined;
  sources: { baseURL: Source; apiKey: Source };
  configPath: string;
}

export function configPath(program: ProgramSpec, io: IO): string {
  const explicit = io.env[`${program.envPrefix}_CONFIG`];
  if (explicit) return explicit;
  const base = io.env.XDG_CONFIG_HOME || join(io.home, ".config");
  return join(base, program.name, "config.json");
}

/** The config file; an absent file is an empty one. A broken file is a usage error naming it. */
export function readConfig(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { profiles: {} };
    throw new UsageError(`cannot read the config file ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `the config file ${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      "fix or delete it, then run `configure` again",
    );
  }
  const profiles = (data as { profiles?: unknown } | null)?.profiles;
  if (typeof profiles !== "object" || profiles === null || Array.isArray(profiles)) {
    throw new UsageError(
      `the config file ${path} has no "profiles" object`,
      "fix or delete it, then run `configure` again",
    );
  }
  const out: Record<string, Profile> = {};
  for (const [name, p] of Object.entries(profiles as Record<string, unknown>)) {
    if (typeof p !== "object" || p === null) continue;
    const { base_url, api_key } = p as Record<string, unknown>;
    out[name] = {
      ...(typeof base_url === "string" ? { base_url } : {}),
      ...(typeof api_key === "string" ? { api_key } : {}),
    };
  }
  return { profiles: out };
}

/** Writes the config file atomically, readable by its owner only (it holds API keys). */
export function writeConfig(path: string, config: ConfigFile): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** A warning when the config file holds a key and others may read it (like ssh does). */
export function permissionWarning(path: string, config: ConfigFile): string | undefined {
  if (process.platform === "win32") return undefined;
  if (!Object.values(config.profiles).some((p) => p.api_key !== undefined)) return undefined;
  try {
    const mode = statSync(path).mode & 0o777;
    if ((mode & 0o077) !== 0) {
      return `warning: ${path} holds API keys and is readable by others (mode ${mode.toString(8)}); run chmod 600 ${path}`;
    }
  } catch {
    // Absent: nothing to warn about.
  }
  return undefined;
}

export interface SettingFlags {
  baseURL?: string | undefined;
  apiKey?: string | undefined;
  profile?: string | undefined;
}

/** Resolves the settings of one run, remembering where each came from. */
export function resolveSettings(program: ProgramSpec, io: IO, flags: SettingFlags, config: ConfigFile): Settings {
  const envProfile = io.env[`${program.envPrefix}_PROFILE`];
  const named = flags.profile ?? (envProfile || undefined);
  const profileName = named ?? "default";
  const profile = config.profiles[profileName];
  const path = configPath(program, io);
  if (named !== undefined && profile === undefined) {
    throw new UsageError(
      `no profile "${named}" in ${path}`,
      `create it with \`${program.name} configure --profile ${named} --base-url <url> --api-key <key>\``,
    );
  }
  const envURL = io.env[`${program.envPrefix}_BASE_URL`] || undefined;
  const envKey = io.env[`${program.envPrefix}_API_KEY`] || undefined;
  const baseURL: [string, Source] =
    flags.baseURL !== undefined
      ? [flags.baseURL, "flag"]
      : envURL !== undefined
        ? [envURL, "environment"]
        : profile?.base_url !== undefined
          ? [profile.base_url, "profile"]
          : [program.defaultBaseURL, "default"];
  const apiKey: [string | undefined, Source] =
    flags.apiKey !== undefined
      ? [flags.apiKey, "flag"]
      : envKey !== undefined
        ? [envKey, "environment"]
        : profile?.api_key !== undefined
          ? [profile.api_key, "profile"]
          : [undefined, "none"];
  checkBaseURL(baseURL[0], baseURL[1]);
  return {
    profile: profileName,
    baseURL: baseURL[0],
    apiKey: apiKey[0],
    sources: { baseURL: baseURL[1], apiKey: apiKey[1] },
    configPath: path,
  };
}

/** A base URL must be http(s) with a host: anything else is a usage error, before any request. */
export function checkBaseURL(url: string, source: Source | string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(
      `the base URL ${JSON.stringify(url)} (from the ${source}) is not a URL`,
      "example: http://127.0.0.1:8080",
    );
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new UsageError(
      `the base URL ${JSON.stringify(url)} (from the ${source}) must start with http:// or https://`,
    );
  }
}

/** A key shown without giving it away: its last four characters. */
export function redact(key: string | undefined): string {
  if (key === undefined) return "(none)";
  return key.length <= 8 ? "****" : `****${key.slice(-4)}`;
}
