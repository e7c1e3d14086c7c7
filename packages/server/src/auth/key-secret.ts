// The server secret that API key hashes are keyed with (HMAC-SHA-256), so a copy of the database
// alone does not let anyone test guessed keys offline. From API_KEY_SECRET when set; otherwise
// generated once into <data dir>/key-secret (mode 0600) and read from there on later starts.
// The database records the secret's fingerprint: a server (or an admin command) with another
// secret refuses to start instead of silently rejecting every stored key. Several instances on
// one PostgreSQL database therefore need the same secret: set the same API_KEY_SECRET on each
// (or copy the key-secret file).
import { createHmac, randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../config.ts";
import { FILE_MODE } from "../data-dir.ts";
import type { Store } from "../store/types.ts";

export const SECRET_FILE = "key-secret";

export interface KeySecret {
  secret: Buffer;
  /** Where it came from, for messages (never the secret itself). */
  source: string;
}

/** The secret from the setting, else from the data directory (created there on the first start). */
export function loadKeySecret(setting: string | undefined, dataDir: string): KeySecret {
  if (setting !== undefined && setting !== "")
    return { secret: Buffer.from(setting, "utf8"), source: "API_KEY_SECRET" };
  const file = join(dataDir, SECRET_FILE);
  if (!existsSync(file)) {
    // "wx": two processes starting on one data directory at once cannot both write one.
    try {
      writeFileSync(file, `${randomBytes(32).toString("base64url")}\n`, { mode: FILE_MODE, flag: "wx" });
    } catch (error) {
      if ((error as { code?: string }).code !== "EEXIST") throw error;
    }
  }
  const text = readFileSync(file, "utf8").trim();
  if (text.length < 32) throw new ConfigError(`${file} holds no usable key secret (at least 32 characters)`);
  return { secret: Buffer.from(text, "utf8"), source: file };
}

/** Identifies a secret without revealing it. */
export function secretFingerprint(secret: Buffer): string {
  return createHmac("sha256", secret).update("tka key secret fingerprint").digest("hex").slice(0, 32);
}

/** The stored keys were made with another secret: starting would reject every one of them. */
export class KeySecretMismatchError extends ConfigError {}

/** Records this secret's fingerprint on first use; refuses a secret other than the recorded one. */
export async function checkKeySecret(store: Store, { secret, source }: KeySecret): Promise<void> {
  const mine = secretFingerprint(secret);
  if ((await store.claimKeySecretFingerprint(mine)) === mine) return;
  throw new KeySecretMismatchError(
    `the API key secret (${source}) is not the one this database's keys were made with: use that secret again ` +
      '(every instance on one database needs the same API_KEY_SECRET), or run "tka-server keys forget-secret" ' +
      "to revoke every stored key and adopt this one",
  );
}
