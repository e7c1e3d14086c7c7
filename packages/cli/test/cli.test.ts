// The `tka` command line end to end: every command runs as its own process against the real
// server process over HTTP, as a user would run it.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliEnv, cliMain, type RunningServer, spawnTka, startServer, tka } from "./harness.ts";

const KEY = "cli-e2e-key-0123456789";
const RED_MOTION = '{"motion_type":"pro","prop_rot_dir":"cw","start_loc":"n","end_loc":"e","turns":1}';
let server: RunningServer;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  server = await startServer({ API_KEYS: `cli=${KEY}`, RATE_LIMIT: "10000/1000" });
  env = cliEnv({ TKA_BASE_URL: server.url, TKA_API_KEY: KEY });
});

afterAll(async () => {
  await server?.stop();
});

/** Runs a command that must succeed and returns its JSON output. */
// biome-ignore lint/suspicious/noExplicitAny: the tests read the JSON answers loosely.
async function ok(args: string[], runEnv = env): Promise<any> {
  const r = await tka(args, runEnv);
  expect(r.stderr).toBe("");
  expect(r.code, `tka ${args.join(" ")}`).toBe(0);
  return JSON.parse(r.stdout);
}

async function newSequence(name: string): Promise<string> {
  return (await ok(["sequences", "create", "--name", name, "--beats", "[]"])).id;
}

describe("tka against the real server", () => {
  it("runs the scenario: create, add, insert, update, move, remove, undo, redo, list, delete", async () => {
    expect((await ok(["health", "get"])).status).toBe("healthy");
    const id = await newSequence("Flow");
    let seq = await ok(["beats", "add", id, "--letter", "A", "--duration", "1"]);
    expect(seq).toMatchObject({ word: "A", length: 1 });
    seq = await ok(["beats", "add", id, "--letter", "b", "--position", "0", "--no-is-blank"]);
    expect(seq.word).toBe("BA");
    const [b, a] = seq.beats;
    seq = await ok(["beats", "update", id, a.id, "--letter", "q", "--duration", "2.5", "--red-motion", RED_MOTION]);
    expect(seq).toMatchObject({ word: "BQ", total_duration: 3.5 });
    expect(seq.beats[1].red_motion).toMatchObject({ turns: 1 });
    seq = await ok(["beats", "move", id, b.id, "--position", "1"]);
    expect(seq.word).toBe("QB");
    seq = await ok(["beats", "remove", id, b.id, "--if-match", String(seq.version)]);
    expect(seq.word).toBe("Q");

    const undone = await ok(["history", "undo", id]);
    expect(undone.sequence.word).toBe("QB");
    const redone = await ok(["history", "redo", id]);
    expect(redone.sequence.word).toBe("Q");
    const history = await tka(["history", "list", id, "--format", "table"], env);
    expect(history.code).toBe(0);
    expect(history.stdout.split("\n")[0]).toMatch(/^ID\s+SEQUENCE_ID\s+COMMAND\s+DESCRIPTION/);
    expect(history.stdout).toContain("beat.remove");

    const table = await tka(["sequences", "get", id, "--format", "table"], env);
    expect(table.stdout).toMatch(/^id\s+seq_/m);
    expect(table.stdout).toMatch(/^word\s+Q$/m);
    expect(table.stdout).toMatch(/^beats:\nID\s+LETTER/m);

    const renamed = await ok(["sequences", "update", id, "--name", "Renamed", "--start-position", "null"]);
    expect(renamed).toMatchObject({ name: "Renamed", start_position: null });
    await ok(["sequences", "delete", id]);
    expect((await tka(["sequences", "get", id], env)).code).toBe(6);
  });

  it("lists the first page, or every page with --all", async () => {
    const listEnv = cliEnv({ TKA_BASE_URL: server.url, TKA_API_KEY: KEY });
    for (const name of ["P1", "P2", "P3"]) await newSequence(`page ${name}`);
    const first = await ok(["sequences", "list", "--limit", "2", "--name-contains", "page "], listEnv);
    expect(first.data).toHaveLength(2);
    expect(first.next_cursor).toEqual(expect.any(String));
    const next = await ok([
      "sequences",
      "list",
      "--limit",
      "2",
      "--name-contains",
      "page ",
      "--cursor",
      first.next_cursor,
    ]);
    expect(next.data.map((s: { name: string }) => s.name)).toEqual(["page P1"]);
    const all = (await ok(["sequences", "list", "--all", "--limit", "1", "--name-contains", "page "])) as unknown as {
      name: string;
    }[];
    expect(all.map((s) => s.name)).toEqual(["page P3", "page P2", "page P1"]);
    const table = await tka(["sequences", "list", "--all", "--name-contains", "page ", "--format", "table"], env);
    expect(table.stdout.trim().split("\n")).toHaveLength(4);
    expect(table.stdout).toMatch(/^ID\s+NAME\s+WORD/);
  });

  it("follows live events and resumes after the last id it printed", async () => {
    const id = await newSequence("Live");
    const stream = spawnTka(["events", "stream", "--types", "beat.added", "--max-events", "1", "--verbose"], env);
    // The SDK logs the answer's status once the stream is open: from then on no event is missed.
    await stream.waitFor("stderr", /→ 200/);
    await ok(["beats", "add", id, "--letter", "L"]);
    expect(await stream.exited).toBe(0);
    const event = JSON.parse(stream.output().stdout.trim());
    expect(event).toMatchObject({ event: "beat.added", id: expect.stringMatching(/^evt_/), data: { sequence_id: id } });
    expect(stream.output().stderr).not.toContain(KEY);

    await ok(["beats", "add", id, "--letter", "M"]);
    const resumed = await tka(
      ["events", "stream", "--last-event-id", event.id, "--types", "beat.added", "--max-events", "1"],
      env,
    );
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout).data.data.beat.letter).toBe("M");
  });
});

describe("failures: readable, with the request id and an exit code per class", () => {
  it("404, 422 with the failing field's flag, 412, 409, 401", async () => {
    const missing = await tka(["sequences", "get", "seq_nope"], env);
    expect(missing.code).toBe(6);
    expect(missing.stderr).toMatch(/^tka: 404 .*\(NOT_FOUND\)\n.*\n {2}request id: req_\w+\n$/);
    expect(missing.stdout).toBe("");

    const id = await newSequence("Errors");
    const invalid = await tka(["beats", "add", id, "--duration", "50"], env);
    expect(invalid.code).toBe(4);
    expect(invalid.stderr).toContain("(VALIDATION_FAILED)");
    expect(invalid.stderr).toContain("  - /duration (--duration): ");

    const stale = await tka(["beats", "add", id, "--letter", "A", "--if-match", "99"], env);
    expect(stale.code).toBe(7);
    expect(stale.stderr).toContain("412 ");
    expect(stale.stderr).toContain("(VERSION_MISMATCH)");

    await ok(["history", "undo", id]);
    const nothing = await tka(["history", "undo", id], env);
    expect(nothing.code).toBe(7);
    expect(nothing.stderr).toContain("(NOTHING_TO_UNDO)");

    const unknownKey = await tka(["sequences", "list"], { ...env, TKA_API_KEY: "not-a-key-0000000000" });
    expect(unknownKey.code).toBe(5);
    expect(unknownKey.stderr).toContain("401 ");
    expect(unknownKey.stderr).not.toContain("not-a-key");
  });

  it("no answer: exit 3 naming the cause", async () => {
    const port = await closedPort();
    const r = await tka(["sequences", "list", "--max-retries", "0", "--base-url", `http://127.0.0.1:${port}`], env);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^tka: no answer: .*ECONNREFUSED/);
  });

  it("a bad command line sends nothing: the sequence is unchanged", async () => {
    const id = await newSequence("Untouched");
    const cases: [string[], RegExp][] = [
      [["beats", "add", id, "--duration", "abc"], /--duration expects a number/],
      [["beats", "add", id, "--position", "1.5"], /--position expects an integer/],
      [["beats", "add", id, "--lettr", "A"], /unknown flag --lettr\n {2}did you mean --letter\?/],
      [["beats", "add", id, "--data", "{oops"], /--data is not valid JSON/],
      [["beats", "add", ""], /<sequence-id> must not be empty/],
      [["beats", "ad", id], /did you mean `tka beats add`\?/],
      [["sequences", "create"], /missing --name/],
      [["beats", "add", id, "--base-url", "localhost:8080"], /must start with http/],
    ];
    for (const [args, message] of cases) {
      const r = await tka(args, env);
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect((await ok(["sequences", "get", id])).version).toBe(1);
  });

  it("hostile input: huge, deep, not UTF-8, path tricks; the server answers and stays up", async () => {
    const id = await newSequence("Hostile");
    const dir = mkdtempSync(join(tmpdir(), "tka-cli-data-"));
    const huge = join(dir, "huge.json");
    writeFileSync(huge, JSON.stringify({ letter: "A", metadata: { blob: "x".repeat(3_000_000) } }));
    const tooBig = await tka(["beats", "add", id, "--data-file", huge], env);
    expect(tooBig.code).toBe(4);
    expect(tooBig.stderr).toContain("413 ");

    const deep = `{"metadata":{"a":${"[".repeat(50_000)}${"]".repeat(50_000)}}}`;
    const tooDeep = await tka(["beats", "add", id, "--data-file", "-"], env, deep);
    expect(tooDeep.code).toBe(4);
    expect(tooDeep.stderr).toContain("PAYLOAD_TOO_LARGE");
    const empty = await tka(["beats", "add", id, "--data-file", "-"], env, "");
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain("standard input is not valid JSON");

    const latin1 = join(dir, "latin1.json");
    writeFileSync(
      latin1,
      Buffer.from([0x7b, 0x22, 0x6c, 0x65, 0x74, 0x74, 0x65, 0x72, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d]),
    );
    const notUtf8 = await tka(["beats", "add", id, "--data-file", latin1], env);
    expect(notUtf8.code).toBe(2);
    expect(notUtf8.stderr).toContain("is not valid UTF-8");

    // A path parameter is one segment: slashes and dots are escaped, never another route.
    const trick = await tka(["sequences", "get", "../../health"], env);
    expect(trick.code).not.toBe(0);
    expect([4, 6]).toContain(trick.code);

    expect((await ok(["health", "get"])).status).toBe("healthy");
    expect((await ok(["sequences", "get", id])).version).toBe(1);
  });
});

describe("settings", () => {
  it("configure writes a private profile that later commands use; the environment wins over it", async () => {
    const home = cliEnv();
    const saved = await tka(["configure", "--base-url", server.url, "--api-key", KEY], home);
    expect(saved.code).toBe(0);
    const file = join(home.HOME as string, ".config", "tka", "config.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, "utf8")).profiles.default).toEqual({ base_url: server.url, api_key: KEY });

    expect((await ok(["health", "get"], home)).status).toBe("healthy");
    await ok(["sequences", "list"], home);
    const shown = await ok(["configure", "--show"], home);
    expect(shown).toMatchObject({ base_url: server.url, base_url_from: "profile", api_key_from: "profile" });
    expect(JSON.stringify(shown)).not.toContain(KEY);

    const overridden = await tka(["sequences", "list"], { ...home, TKA_API_KEY: "wrong-key-000000000000" });
    expect(overridden.code).toBe(5);
    const flag = await tka(["sequences", "list", "--api-key", "other-wrong-key-0000000"], home);
    expect(flag.code).toBe(5);

    await tka(["configure", "--profile", "broken", "--base-url", "http://127.0.0.1:1"], home);
    expect((await tka(["sequences", "list", "--profile", "broken", "--max-retries", "0"], home)).code).toBe(3);
    const noProfile = await tka(["sequences", "list", "--profile", "absent"], home);
    expect(noProfile.code).toBe(2);
    expect(noProfile.stderr).toContain('no profile "absent"');

    writeFileSync(file, "{ not json");
    const broken = await tka(["sequences", "list"], home);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain("is not valid JSON");
  });

  it("--verbose logs requests without the key", async () => {
    const r = await tka(["sequences", "list", "--verbose"], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/GET http:\/\/127\.0\.0\.1:\d+\/api\/v1\/sequences/);
    expect(r.stderr).not.toContain(KEY);
  });
});

describe("help and completion", () => {
  it("every parameter is a flag with the contract's help text", async () => {
    const r = await tka(["beats", "add", "--help"], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: tka beats add <sequence-id> [flags]");
    expect(r.stdout).toMatch(/--if-match <text>\n {6}Apply the change only if the sequence is still at this version/);
    expect(r.stdout).toMatch(/--duration <number>\n {6}How long the beat lasts/);
    const stream = await tka(["events", "stream", "--help"], env);
    expect(stream.stdout).toMatch(/--types <[a-z.|]+>|--types <text>/);
  });

  it("bash completion, sourced, completes groups, commands, flags and the contract's enum values", async () => {
    const bin = mkdtempSync(join(tmpdir(), "tka-cli-bin-"));
    writeFileSync(join(bin, "tka"), `#!/bin/sh\nexec "${process.execPath}" "${cliMain}" "$@"\n`);
    chmodSync(join(bin, "tka"), 0o755);
    const script = (await tka(["completion", "bash"], env)).stdout;
    const complete = (words: string[]) =>
      execFileSync(
        "bash",
        [
          "-c",
          `${script}\nCOMP_WORDS=(tka ${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length}; _tka_complete; printf '%s\\n' "\${COMPREPLY[@]}"`,
        ],
        { env: { ...env, PATH: `${bin}:${env.PATH}` }, encoding: "utf8" },
      )
        .trim()
        .split("\n");
    expect(complete(["se"])).toEqual(["sequences"]);
    expect(complete(["beats", "a"])).toEqual(["add"]);
    expect(complete(["beats", "add", "X", "--dur"])).toEqual(["--duration"]);
    expect(complete(["events", "stream", "--types", "beat.m"])).toEqual(["beat.moved"]);
    for (const shell of ["zsh", "fish"])
      expect((await tka(["completion", shell], env)).stdout).toContain("tka __complete");
  });
});

/** A port nothing listens on (bound, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
