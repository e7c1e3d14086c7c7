// `tka-server keys ...`: API key management from the command line, on the database the server
// settings name (DATABASE_URL, DATA_DIR, API_KEY_SECRET: the same as the server's), with the
// server running or not. A revoked key stops working within 5 s on every running instance.
//
//   keys create --project P [--name N] [--json]   prints the new key once
//   keys list [--project P] [--json]              never shows a key or its hash, only its prefix
//   keys revoke <key-id> [--project P]            for good; --project, when given, must match
//   keys forget-secret --yes                      adopts the current secret, revoking every key
import { parseArgs } from "node:util";
import { ApiKeys } from "../auth/api-keys.ts";
import { checkKeySecret, loadKeySecret, secretFingerprint } from "../auth/key-secret.ts";
import { type Config, ConfigError, loadConfig, settings } from "../config.ts";
import { IdGenerator } from "../ids.ts";
import { openStore } from "../server.ts";
import type { ApiKeyRecord, Store } from "../store/types.ts";

export const KEYS_USAGE = `usage: tka-server keys <command> [options] [server settings]

  create --project P [--name N] [--json]   create a key for project P; prints it once
  list [--project P] [--json]              list keys (id, project, name, prefix, created, revoked)
  revoke <key-id> [--project P]            revoke a key for good
  forget-secret --yes                      adopt the current API key secret: revokes every stored key

The server settings (--database-url, --data-dir, --api-key-secret or their environment
variables) name the database and the key secret, as for the server.`;

const PROJECT = /^[A-Za-z0-9_-]{1,64}$/;

export interface KeysIo {
  out: (text: string) => void;
}

/** Runs one keys command; resolves with the process exit status. Throws ConfigError for bad usage. */
export async function keysCommand(argv: string[], env: NodeJS.ProcessEnv, io: KeysIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "help") {
    io.out(KEYS_USAGE);
    return command === undefined ? 2 : 0;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    strict: true,
    options: {
      project: { type: "string" },
      name: { type: "string" },
      json: { type: "boolean" },
      yes: { type: "boolean" },
      ...Object.fromEntries(settings.map((s) => [s.flag, { type: "string" as const }])),
    },
  });
  const settingArgs = settings.flatMap((s) => {
    const value = (values as Record<string, unknown>)[s.flag];
    return typeof value === "string" ? [`--${s.flag}`, value] : [];
  });
  const config = loadConfig(settingArgs, env);
  const project = values.project;
  if (project !== undefined && !PROJECT.test(project)) {
    throw new ConfigError(`--project is 1-64 letters, digits, "_" or "-", got "${project}"`);
  }
  const run = commands[command as keyof typeof commands];
  if (run === undefined)
    throw new ConfigError(`unknown keys command "${command}" (create, list, revoke, forget-secret)`);
  const store = await openStore(config, () => {});
  try {
    return await run({ store, config, project, values, positionals, io });
  } finally {
    await store.close();
  }
}

interface Run {
  store: Store;
  config: Config;
  project: string | undefined;
  values: { name?: string | undefined; json?: boolean | undefined; yes?: boolean | undefined };
  positionals: string[];
  io: KeysIo;
}

async function keyRing({ store, config }: Run): Promise<ApiKeys> {
  const secret = loadKeySecret(config.apiKeySecret, config.dataDir);
  await checkKeySecret(store, secret);
  const ids = new IdGenerator();
  return new ApiKeys({ store, secret: secret.secret, newId: () => ids.newId("key") });
}

const commands = {
  async create(run: Run): Promise<number> {
    if (run.project === undefined) throw new ConfigError("keys create needs --project");
    const name = run.values.name ?? "cli";
    if (!/^[\x20-\x7E]{1,100}$/.test(name)) throw new ConfigError("--name is 1-100 printable ASCII characters");
    const { key, record } = await (await keyRing(run)).create(run.project, name);
    if (run.values.json) run.io.out(JSON.stringify({ ...shown(record), key }));
    else {
      run.io.out(`Created ${record.id} for project "${record.project_id}" (${record.name}):\n\n    ${key}\n`);
      run.io.out("Keep it now: it is not shown again (only its prefix is stored in readable form).");
    }
    return 0;
  },

  async list(run: Run): Promise<number> {
    await keyRing(run); // refuses a database whose keys were made with another secret
    const keys = await run.store.listApiKeys(run.project);
    if (run.values.json) {
      run.io.out(JSON.stringify(keys.map(shown)));
      return 0;
    }
    const rows = [
      ["ID", "PROJECT", "NAME", "PREFIX", "CREATED", "REVOKED", "HASH"],
      ...keys.map((k) => [
        k.id,
        k.project_id,
        k.name,
        k.prefix ?? "-",
        k.created_at,
        k.revoked_at ?? "-",
        k.keyed ? "keyed" : "sha256 (rewritten at next use)",
      ]),
    ];
    const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
    for (const row of rows)
      run.io.out(
        row
          .map((cell, i) => cell.padEnd(widths[i] ?? 0))
          .join("  ")
          .trimEnd(),
      );
    if (keys.length === 0) run.io.out("(no keys)");
    return 0;
  },

  async revoke(run: Run): Promise<number> {
    const [id, ...extra] = run.positionals;
    if (id === undefined || extra.length > 0) throw new ConfigError("keys revoke takes one key id (see keys list)");
    const found = (await run.store.listApiKeys()).find((k) => k.id === id);
    if (found === undefined) throw new ConfigError(`no key ${id} (see keys list)`);
    if (run.project !== undefined && found.project_id !== run.project) {
      throw new ConfigError(
        `key ${id} belongs to project "${found.project_id}", not "${run.project}": nothing revoked`,
      );
    }
    const revoked = await run.store.revokeApiKey(id, new Date().toISOString());
    const when = revoked?.revoked_at ?? "?";
    run.io.out(
      found.revoked_at === null
        ? `Revoked ${id} (project "${found.project_id}", ${found.name}, ${found.prefix ?? "no prefix"}) at ${when}; running servers refuse it within 5 s.`
        : `${id} was already revoked at ${when}.`,
    );
    return 0;
  },

  async "forget-secret"(run: Run): Promise<number> {
    if (!run.values.yes) {
      throw new ConfigError("keys forget-secret revokes every stored key; confirm with --yes");
    }
    const secret = loadKeySecret(run.config.apiKeySecret, run.config.dataDir);
    const revoked = await run.store.replaceKeySecretFingerprint(
      secretFingerprint(secret.secret),
      new Date().toISOString(),
    );
    run.io.out(
      `Adopted the key secret from ${secret.source}; revoked ${revoked} stored key(s). Create new ones with keys create.`,
    );
    return 0;
  },
};

/** What a listing shows of a key. */
function shown(record: ApiKeyRecord) {
  return {
    id: record.id,
    project_id: record.project_id,
    name: record.name,
    prefix: record.prefix,
    created_at: record.created_at,
    revoked_at: record.revoked_at,
  };
}
