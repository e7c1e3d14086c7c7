// PostgreSQL schema migrations, applied in order at start, one transaction each, under a
// session advisory lock so instances starting together do not race. Append only: never edit a
// migration that has shipped; add the next one.
//
// The schema mirrors the SQLite one (../sqlite/migrations.ts; its versions 1 and 2 are folded
// together in version 1 here, its versions 3 to 5 are versions 2 to 4 here):
// - Times stay ISO-8601 UTC text, as in SQLite, so filters and cursors compare them the same
//   way; text that is sorted or compared is COLLATE "C" (byte order, like SQLite), whatever the
//   database's locale.
// - Documents, commands, event data and stored responses are `json`, not `jsonb`: `json` keeps
//   the text as written, so keys come back in the order the client sent them (jsonb reorders
//   them), exactly as SQLite answers. Nothing queries inside them.
// - history.seq and events.seq are BIGSERIAL; the events sequence numbers the event ids.
export const migrations: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: "sequences (with history counters), history, events, idempotency, api keys",
    sql: `
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        project_id TEXT NOT NULL,
        key_hash TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE sequences (
        id TEXT COLLATE "C" PRIMARY KEY,
        project_id TEXT NOT NULL,
        doc JSON,                        -- SequenceDoc; NULL while deleted
        version INTEGER NOT NULL,
        created_at TEXT COLLATE "C" NOT NULL,
        updated_at TEXT COLLATE "C" NOT NULL,
        name TEXT NOT NULL,              -- denormalised from doc for filters
        word TEXT NOT NULL,
        length INTEGER NOT NULL,
        undo_count INTEGER NOT NULL DEFAULT 0,  -- history counters: undo/redo never scan history
        redo_count INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX sequences_list ON sequences (project_id, created_at DESC, id DESC) WHERE doc IS NOT NULL;
      CREATE TABLE history (
        seq BIGSERIAL PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        sequence_id TEXT NOT NULL,
        command JSON NOT NULL,
        description TEXT NOT NULL,
        created_at TEXT NOT NULL,
        undone BOOLEAN NOT NULL
      );
      CREATE INDEX history_by_sequence ON history (sequence_id, undone, seq);
      CREATE TABLE events (
        seq BIGSERIAL PRIMARY KEY,       -- evt_<seq>; see PgStore.commit for the ordering rule
        project_id TEXT NOT NULL,
        sequence_id TEXT NOT NULL,
        sequence_version INTEGER NOT NULL,
        type TEXT NOT NULL,
        data JSON NOT NULL,
        occurred_at TEXT NOT NULL
      );
      CREATE INDEX events_by_project ON events (project_id, seq);
      CREATE TABLE idempotency (
        project_id TEXT NOT NULL,
        key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        response JSON,                   -- IdempotentResponse; NULL while in progress
        created_at BIGINT NOT NULL,      -- ms since epoch
        expires_at BIGINT NOT NULL,
        PRIMARY KEY (project_id, key)
      );
    `,
  },
  {
    version: 2,
    name: "history in order per sequence (trimming and history pages without a sort)",
    sql: "CREATE INDEX history_in_order ON history (sequence_id, seq);",
  },
  {
    version: 3,
    name: "no second history index (every commit wrote a scattered page of it; queries use history_by_sequence)",
    sql: "DROP INDEX IF EXISTS history_in_order;",
  },
  {
    version: 4,
    name: "event retention: the highest event number pruned",
    sql: `
      CREATE TABLE event_retention (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        pruned_through BIGINT NOT NULL   -- events numbered up to here are gone (0: none yet)
      );
      INSERT INTO event_retention (id, pruned_through) VALUES (1, 0);
    `,
  },
  {
    version: 6,
    name: "api keys: revocation, prefixes, the key secret's fingerprint; keys from API_KEYS are no longer stored",
    sql: `
      ALTER TABLE api_keys ADD COLUMN revoked_at TEXT;   -- NULL while the key works
      ALTER TABLE api_keys ADD COLUMN prefix TEXT;       -- the key's first characters, for listings and logs
      -- Keys from API_KEYS used to be stored (named 'configured'): they now live in the
      -- environment only, so one removed from it stops working.
      UPDATE api_keys SET revoked_at = to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
        WHERE name = 'configured';
      CREATE TABLE key_secret (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        fingerprint TEXT NOT NULL          -- of the secret the key hashes are keyed with
      );
    `,
  },
];
