// Schema migrations, applied in order at start inside one transaction each. Append only: never
// edit a migration that has shipped; add the next one.
export const migrations: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: "sequences, history, events, idempotency, api keys",
    sql: `
      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        project_id TEXT NOT NULL,
        key_hash TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE sequences (
        id TEXT PRIMARY KEY,
        project_id TEXT NOT NULL,
        doc TEXT,                      -- JSON SequenceDoc; NULL while deleted
        version INTEGER NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        name TEXT NOT NULL,            -- denormalised from doc for filters
        word TEXT NOT NULL,
        length INTEGER NOT NULL
      );
      CREATE INDEX sequences_list ON sequences (project_id, created_at DESC, id DESC) WHERE doc IS NOT NULL;
      CREATE TABLE history (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        sequence_id TEXT NOT NULL,
        command TEXT NOT NULL,         -- JSON Command
        description TEXT NOT NULL,
        created_at TEXT NOT NULL,
        undone INTEGER NOT NULL
      );
      CREATE INDEX history_by_sequence ON history (sequence_id, undone, seq);
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        project_id TEXT NOT NULL,
        sequence_id TEXT NOT NULL,
        sequence_version INTEGER NOT NULL,
        type TEXT NOT NULL,
        data TEXT NOT NULL,            -- JSON
        occurred_at TEXT NOT NULL
      );
      CREATE INDEX events_by_project ON events (project_id, seq);
      CREATE TABLE idempotency (
        project_id TEXT NOT NULL,
        key TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        response TEXT,                 -- JSON IdempotentResponse; NULL while in progress
        created_at INTEGER NOT NULL,   -- ms since epoch
        expires_at INTEGER NOT NULL,
        PRIMARY KEY (project_id, key)
      );
    `,
  },
  {
    version: 2,
    name: "history counters on sequences (undo/redo cost independent of history length)",
    sql: `
      ALTER TABLE sequences ADD COLUMN undo_count INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE sequences ADD COLUMN redo_count INTEGER NOT NULL DEFAULT 0;
      UPDATE sequences SET
        undo_count = (SELECT COUNT(*) FROM history h WHERE h.sequence_id = sequences.id AND h.undone = 0),
        redo_count = (SELECT COUNT(*) FROM history h WHERE h.sequence_id = sequences.id AND h.undone = 1);
    `,
  },
  {
    version: 3,
    name: "history in order per sequence (trimming and history pages without a sort)",
    sql: "CREATE INDEX history_in_order ON history (sequence_id, seq);",
  },
  {
    version: 4,
    name: "no second history index (every commit wrote a scattered page of it; queries use history_by_sequence)",
    sql: "DROP INDEX IF EXISTS history_in_order;",
  },
  {
    version: 5,
    name: "event retention: the highest event number pruned",
    sql: `
      CREATE TABLE event_retention (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        pruned_through INTEGER NOT NULL   -- events numbered up to here are gone (0: none yet)
      );
      INSERT INTO event_retention (id, pruned_through) VALUES (1, 0);
    `,
  },
  {
    version: 6,
    name: "per-project gapless event positions, counted apart from the events",
    // Existing events are numbered in event order per project. The counter row is what commits
    // increment, so pruning (which deletes events only) never restarts a project's positions.
    sql: `
      ALTER TABLE events ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
      UPDATE events SET position = numbered.position
        FROM (SELECT seq, ROW_NUMBER() OVER (PARTITION BY project_id ORDER BY seq) AS position FROM events) AS numbered
        WHERE events.seq = numbered.seq;
      CREATE UNIQUE INDEX events_by_position ON events (project_id, position);
      CREATE TABLE event_positions (
        project_id TEXT PRIMARY KEY,
        last_position INTEGER NOT NULL    -- the project's newest position
      ) WITHOUT ROWID;
      INSERT INTO event_positions (project_id, last_position)
        SELECT project_id, MAX(position) FROM events GROUP BY project_id;
    `,
  },
  {
    version: 7,
    name: "api keys: revocation, prefixes, the key secret's fingerprint; keys from API_KEYS are no longer stored",
    sql: `
      ALTER TABLE api_keys ADD COLUMN revoked_at TEXT;   -- NULL while the key works
      ALTER TABLE api_keys ADD COLUMN prefix TEXT;       -- the key's first characters, for listings and logs
      -- Keys from API_KEYS used to be stored (named 'configured'): they now live in the
      -- environment only, so one removed from it stops working.
      UPDATE api_keys SET revoked_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE name = 'configured';
      CREATE TABLE key_secret (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        fingerprint TEXT NOT NULL          -- of the secret the key hashes are keyed with
      );
    `,
  },
];
