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
    version: 5,
    name: "per-project gapless event positions, counted apart from the events",
    // Existing events are numbered in event order per project. Commits take the next position
    // from the project's counter row (see PgStore.commit), so pruning, which deletes events only,
    // never restarts a project's positions. Instances of an older version must be stopped
    // before this runs: their inserts carry no position.
    sql: `
      ALTER TABLE events ADD COLUMN position BIGINT;
      UPDATE events SET position = numbered.position
        FROM (SELECT seq, row_number() OVER (PARTITION BY project_id ORDER BY seq) AS position FROM events) AS numbered
        WHERE events.seq = numbered.seq;
      ALTER TABLE events ALTER COLUMN position SET NOT NULL;
      CREATE UNIQUE INDEX events_by_position ON events (project_id, position);
      CREATE TABLE event_positions (
        project_id TEXT PRIMARY KEY,
        last_position BIGINT NOT NULL    -- the project's newest position
      );
      INSERT INTO event_positions (project_id, last_position)
        SELECT project_id, max(position) FROM events GROUP BY project_id;
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
  {
    version: 7,
    name: "group commit: a batch of commits in one call (tka_commit_batch)",
    // (Version 6 belongs to another change.) See commit.ts for how the store calls it: one
    // statement, so one round trip and one COMMIT (one WAL flush) for the whole batch.
    sql: `
      -- JSON texts joined by U+001E (which JSON text never holds raw), an empty one for NULL, as a
      -- json[] (each element validated, never parsed: json keeps \\u0000 exactly).
      CREATE OR REPLACE FUNCTION tka_json_list(joined text) RETURNS json[]
      LANGUAGE sql IMMUTABLE AS $fn$
        SELECT coalesce(array_agg(nullif(x, '')::json ORDER BY o), '{}')
        FROM unnest(string_to_array(joined, chr(30))) WITH ORDINALITY AS u(x, o)
      $fn$;

      CREATE OR REPLACE FUNCTION tka_commit_batch(
        p_rows json, p_docs text, p_commands text, p_event_data text, p_responses text,
        p_channel text, p_instance text
      ) RETURNS TABLE (r_index int, r_seq bigint, r_position bigint, r_code text, r_message text)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        p_ids text[];
        p_projects text[];
        p_expected int[];
        p_versions int[];
        p_created text[];
        p_updated text[];
        p_names text[];
        p_words text[];
        p_lengths int[];
        p_appends boolean[];
        p_entry_ids text[];
        p_descriptions text[];
        p_entry_created text[];
        p_limits int[];
        p_undone boolean[];
        p_event_types text[];
        p_idem_projects text[];
        p_idem_keys text[];
        p_docs_ json[] := tka_json_list(p_docs);
        p_commands_ json[] := tka_json_list(p_commands);
        p_event_data_ json[] := tka_json_list(p_event_data);
        p_responses_ json[] := tka_json_list(p_responses);
        n int := json_array_length(p_rows);
        ok boolean[] := array_fill(false, ARRAY[n]);
        codes text[] := array_fill(NULL::text, ARRAY[n]);
        messages text[] := array_fill(NULL::text, ARRAY[n]);
        seqs bigint[] := array_fill(NULL::bigint, ARRAY[n]);
        positions bigint[] := array_fill(NULL::bigint, ARRAY[n]);
        i int;
        cur record;
        applied int;
        undone_count int;
        next_applied int;
        next_undone int;
        excess int;
        delta int;
        project text;
        cnt int;
        v_last bigint;
        next_position bigint;
        last_seq bigint;
      BEGIN
        SELECT array_agg(r.id ORDER BY o), array_agg(r.project ORDER BY o), array_agg(r.expected ORDER BY o),
          array_agg(r.version ORDER BY o), array_agg(r.created ORDER BY o), array_agg(r.updated ORDER BY o),
          array_agg(r.name ORDER BY o), array_agg(r.word ORDER BY o), array_agg(r.length ORDER BY o),
          array_agg(r.append ORDER BY o), array_agg(r.entry_id ORDER BY o), array_agg(r.description ORDER BY o),
          array_agg(r.entry_created ORDER BY o), array_agg(r."limit" ORDER BY o), array_agg(r.undone ORDER BY o),
          array_agg(r.event_type ORDER BY o), array_agg(r.idem_project ORDER BY o), array_agg(r.idem_key ORDER BY o)
        INTO p_ids, p_projects, p_expected, p_versions, p_created, p_updated, p_names, p_words, p_lengths,
          p_appends, p_entry_ids, p_descriptions, p_entry_created, p_limits, p_undone, p_event_types,
          p_idem_projects, p_idem_keys
        FROM json_array_elements(p_rows) WITH ORDINALITY AS e(v, o),
          json_to_record(e.v) AS r(id text, project text, expected int, version int, created text, updated text,
            name text, word text, length int, append boolean, entry_id text, description text, entry_created text,
            "limit" int, undone boolean, event_type text, idem_project text, idem_key text);

        -- 1. Each commit's version check, sequence row, history and idempotent answer, in its own
        -- subtransaction (one failing commit leaves the others), in sequence id order.
        FOR i IN SELECT s FROM generate_subscripts(p_ids, 1) s ORDER BY p_ids[s] COLLATE "C", s LOOP
          BEGIN
            IF p_expected[i] = 0 THEN
              applied := 0;
              undone_count := 0;
            ELSE
              SELECT version, undo_count, redo_count INTO cur FROM sequences WHERE id = p_ids[i] FOR UPDATE;
              IF NOT FOUND OR cur.version <> p_expected[i] THEN
                codes[i] := 'TKA01';
                CONTINUE;
              END IF;
              applied := cur.undo_count;
              undone_count := cur.redo_count;
            END IF;
            -- The history counters after the change, kept on the sequence row so undo and redo
            -- cost the same with 10 entries or 10,000.
            excess := 0;
            IF p_appends[i] THEN
              excess := greatest(0, applied + 1 - p_limits[i]);
              next_applied := applied + 1 - excess;
              next_undone := 0;
            ELSE
              delta := CASE WHEN p_undone[i] THEN 1 ELSE -1 END;
              next_applied := applied - delta;
              next_undone := undone_count + delta;
            END IF;
            IF p_expected[i] = 0 THEN
              INSERT INTO sequences (id, project_id, doc, version, created_at, updated_at, name, word, length,
                undo_count, redo_count)
              VALUES (p_ids[i], p_projects[i], p_docs_[i], p_versions[i], p_created[i], p_updated[i], p_names[i],
                p_words[i], p_lengths[i], next_applied, next_undone)
              ON CONFLICT (id) DO NOTHING;
              IF NOT FOUND THEN
                codes[i] := 'TKA01';  -- another writer created it first
                CONTINUE;
              END IF;
            ELSE
              UPDATE sequences SET doc = p_docs_[i], version = p_versions[i], updated_at = p_updated[i],
                name = p_names[i], word = p_words[i], length = p_lengths[i],
                undo_count = next_applied, redo_count = next_undone
              WHERE id = p_ids[i];
            END IF;
            IF p_appends[i] THEN
              IF undone_count > 0 THEN
                DELETE FROM history WHERE sequence_id = p_ids[i] AND undone;
              END IF;
              INSERT INTO history (id, sequence_id, command, description, created_at, undone)
              VALUES (p_entry_ids[i], p_ids[i], p_commands_[i], p_descriptions[i], p_entry_created[i], false);
              IF excess > 0 THEN
                -- The oldest entries are applied ones: the undone ones were dropped above.
                DELETE FROM history WHERE seq IN
                  (SELECT h.seq FROM history h WHERE h.sequence_id = p_ids[i] AND NOT h.undone ORDER BY h.seq LIMIT excess);
              END IF;
            ELSE
              UPDATE history SET undone = p_undone[i] WHERE id = p_entry_ids[i] AND sequence_id = p_ids[i];
            END IF;
            IF p_idem_keys[i] IS NOT NULL THEN
              UPDATE idempotency SET response = p_responses_[i]
              WHERE project_id = p_idem_projects[i] AND key = p_idem_keys[i];
            END IF;
            ok[i] := true;
          EXCEPTION WHEN OTHERS THEN
            codes[i] := SQLSTATE;
            messages[i] := SQLERRM;
          END;
        END LOOP;

        -- 2. Positions and events, project by project in id order: the counter row stays locked
        -- until COMMIT, so a project's commits take positions in commit order; the events' global
        -- numbers are taken after it, in position order. One NOTIFY per project and batch.
        FOR project, cnt IN
          SELECT p_projects[s], count(*) FROM generate_subscripts(p_ids, 1) s WHERE ok[s]
          GROUP BY p_projects[s] ORDER BY p_projects[s] COLLATE "C"
        LOOP
          INSERT INTO event_positions AS c (project_id, last_position) VALUES (project, cnt)
          ON CONFLICT (project_id) DO UPDATE SET last_position = c.last_position + cnt
          RETURNING c.last_position INTO v_last;
          next_position := v_last - cnt;
          FOR i IN SELECT s FROM generate_subscripts(p_ids, 1) s WHERE ok[s] AND p_projects[s] = project ORDER BY s LOOP
            next_position := next_position + 1;
            INSERT INTO events (project_id, sequence_id, sequence_version, type, data, occurred_at, position)
            VALUES (project, p_ids[i], p_versions[i], p_event_types[i], p_event_data_[i], p_updated[i], next_position)
            RETURNING events.seq INTO last_seq;
            seqs[i] := last_seq;
            positions[i] := next_position;
          END LOOP;
          PERFORM pg_notify(p_channel,
            p_instance || ':' || last_seq || ':' || (v_last - cnt + 1) || ':' || v_last || ':' || project);
        END LOOP;

        RETURN QUERY SELECT s, seqs[s], positions[s], codes[s], messages[s] FROM generate_subscripts(p_ids, 1) s;
      END
      $fn$;
    `,
  },
  {
    version: 8,
    name: "documents compressed with lz4 rather than pglz",
    // A value over about 2 KB (a sequence of 16 beats is 3.5 KB, and every event carries one) is
    // compressed when written; pglz was an eighth of PostgreSQL's CPU in the write benchmark,
    // lz4 costs a fraction of it. Applies to values written from now on. A server built without
    // lz4 keeps pglz.
    sql: `
      DO $$
      BEGIN
        ALTER TABLE sequences ALTER COLUMN doc SET COMPRESSION lz4;
        ALTER TABLE events ALTER COLUMN data SET COMPRESSION lz4;
        ALTER TABLE history ALTER COLUMN command SET COMPRESSION lz4;
        ALTER TABLE idempotency ALTER COLUMN response SET COMPRESSION lz4;
      EXCEPTION WHEN feature_not_supported THEN
        NULL;
      END
      $$;
    `,
  },
  {
    version: 9,
    name: "idempotency keys claimed, completed and released in one statement each (tka_*_idempotency)",
    // See keys.ts. Each function is one round trip where the claim took three or four (BEGIN,
    // INSERT, maybe SELECT ... FOR UPDATE and UPDATE, COMMIT) in a transaction of its own, and
    // commits without waiting for its WAL flush (synchronous_commit off for that transaction
    // only, set_config(..., true)): the mutation a claim guards commits after it, synchronously,
    // and the WAL is flushed in order, so a durable mutation always has a durable claim; what a
    // crash of PostgreSQL can lose is a claim or answer whose request had no durable effect yet.
    sql: `
      CREATE FUNCTION tka_claim_idempotency(
        p_project TEXT, p_key TEXT, p_fingerprint TEXT, p_now BIGINT, p_expires BIGINT, p_abandoned_ms BIGINT
      ) RETURNS TABLE (r_state TEXT, r_response JSON)
      LANGUAGE plpgsql AS $fn$
      DECLARE
        found_row idempotency%ROWTYPE;
      BEGIN
        PERFORM set_config('synchronous_commit', 'off', true);
        LOOP
          INSERT INTO idempotency (project_id, key, fingerprint, response, created_at, expires_at)
          VALUES (p_project, p_key, p_fingerprint, NULL, p_now, p_expires)
          ON CONFLICT (project_id, key) DO NOTHING;
          IF FOUND THEN
            RETURN QUERY SELECT 'new'::TEXT, NULL::JSON;
            RETURN;
          END IF;
          -- A statement of its own, so a new snapshot: it sees the row the INSERT ran into.
          SELECT * INTO found_row FROM idempotency WHERE project_id = p_project AND key = p_key FOR UPDATE;
          IF FOUND THEN
            EXIT;
          END IF;
          -- Released between the two statements: claim again.
        END LOOP;
        IF found_row.expires_at > p_now THEN
          IF found_row.fingerprint <> p_fingerprint THEN
            RETURN QUERY SELECT 'mismatch'::TEXT, NULL::JSON;
            RETURN;
          END IF;
          IF found_row.response IS NOT NULL THEN
            RETURN QUERY SELECT 'done'::TEXT, found_row.response;
            RETURN;
          END IF;
          -- A claim whose request never finished (the process died) is abandoned after a while.
          IF p_now - found_row.created_at < p_abandoned_ms THEN
            RETURN QUERY SELECT 'in_progress'::TEXT, NULL::JSON;
            RETURN;
          END IF;
        END IF;
        UPDATE idempotency SET fingerprint = p_fingerprint, response = NULL, created_at = p_now, expires_at = p_expires
        WHERE project_id = p_project AND key = p_key;
        RETURN QUERY SELECT 'new'::TEXT, NULL::JSON;
      END
      $fn$;

      -- The answer, unless the same one is stored already (a mutation's commit stores its answer
      -- itself: then nothing is written, and nothing waits for a flush).
      CREATE FUNCTION tka_complete_idempotency(p_project TEXT, p_key TEXT, p_response TEXT) RETURNS VOID
      LANGUAGE plpgsql AS $fn$
      BEGIN
        PERFORM set_config('synchronous_commit', 'off', true);
        UPDATE idempotency SET response = p_response::JSON
        WHERE project_id = p_project AND key = p_key AND (response IS NULL OR response::TEXT <> p_response);
      END
      $fn$;

      CREATE FUNCTION tka_release_idempotency(p_project TEXT, p_key TEXT) RETURNS VOID
      LANGUAGE plpgsql AS $fn$
      BEGIN
        PERFORM set_config('synchronous_commit', 'off', true);
        DELETE FROM idempotency WHERE project_id = p_project AND key = p_key;
      END
      $fn$;
    `,
  },
];
