import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EXIT } from "../runtime/errors.ts";
import { run } from "../runtime/run.ts";
import { definition, FakeStatusError, fakeClient, memoryIO } from "./fixture.ts";

const env = { THING_BASE_URL: "http://127.0.0.1:1", THING_API_KEY: "key-123456789" };

describe("run", () => {
  it("prints help with exit 0 when asked, with exit 2 when a command is missing", async () => {
    const def = definition();
    const asked = memoryIO(env);
    expect(await run(["--help"], def, asked.io)).toBe(EXIT.ok);
    expect(asked.stdout()).toContain("Usage: thing <group> <command>");
    expect(asked.stdout()).toContain("130  interrupted");
    const bare = memoryIO(env);
    expect(await run([], def, bare.io)).toBe(EXIT.usage);
    expect(await run(["things"], def, memoryIO(env).io)).toBe(EXIT.usage);
    const help = memoryIO(env);
    expect(await run(["things", "create", "--help"], def, help.io)).toBe(EXIT.ok);
    expect(help.stdout()).toContain("--name <text>\n      Its name. (required)");
    expect(help.stdout()).toContain("--color <red|green>");
    const version = memoryIO(env);
    expect(await run(["--version"], def, version.io)).toBe(EXIT.ok);
    expect(version.stdout()).toBe("thing 0.1.0 (Thing API 2.0.0)\n");
  });

  it("refuses unknown groups and commands with a suggestion and sends nothing", async () => {
    const def = definition();
    const m = memoryIO(env);
    expect(await run(["thngs", "list"], def, m.io)).toBe(EXIT.usage);
    expect(m.stderr()).toBe('thing: unknown command "thngs"\n  did you mean `thing things`?\n');
    const c = memoryIO(env);
    expect(await run(["things", "lst"], def, c.io)).toBe(EXIT.usage);
    expect(c.stderr()).toContain("did you mean `thing things list`?");
    expect(def.fake.recorded).toEqual([]);
  });

  it("sends a change with an idempotency key of its own and the settings in effect", async () => {
    const def = definition(fakeClient([{ value: { id: "t1", name: "A" } }]));
    const m = memoryIO(env);
    expect(await run(["things", "create", "--name", "A", "--timeout", "2.5", "--max-retries", "0"], def, m.io)).toBe(
      EXIT.ok,
    );
    expect(JSON.parse(m.stdout())).toEqual({ id: "t1", name: "A" });
    expect(def.fake.created).toEqual([
      { baseURL: "http://127.0.0.1:1", apiKey: "key-123456789", timeout: 2500, maxRetries: 0 },
    ]);
    const [call] = def.fake.recorded;
    expect(call?.spec).toMatchObject({ method: "post", path: "/things", body: { name: "A" } });
    expect(call?.options?.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    // A read declares no key and gets none.
    await run(["things", "get", "t1"], def, memoryIO(env).io);
    expect(def.fake.recorded[1]?.options?.idempotencyKey).toBeUndefined();
  });

  it("checks its own flags before sending", async () => {
    const def = definition();
    for (const argv of [
      ["things", "get", "t1", "--format", "yaml"],
      ["things", "get", "t1", "--timeout", "0"],
      ["things", "get", "t1", "--max-retries", "-1"],
      ["events", "stream", "--max-events", "1.5"],
      ["things", "get", "t1", "--base-url", "ftp://x"],
    ]) {
      const m = memoryIO(env);
      expect(await run(argv, def, m.io), argv.join(" ")).toBe(EXIT.usage);
      expect(m.stderr()).toMatch(/^thing: /);
    }
    expect(def.fake.recorded).toEqual([]);
  });

  it("maps the SDK's errors to their exit codes", async () => {
    const cases: [number, number][] = [
      [404, EXIT.notFound],
      [412, EXIT.conflict],
      [429, EXIT.rateLimited],
      [503, EXIT.server],
      [401, EXIT.auth],
    ];
    for (const [status, code] of cases) {
      const def = definition(fakeClient([{ error: new FakeStatusError(status, { code: "X", request_id: "req_9" }) }]));
      const m = memoryIO(env);
      expect(await run(["things", "get", "t1"], def, m.io)).toBe(code);
      expect(m.stderr()).toMatch(new RegExp(`^thing: ${status} .*\\(X\\)\\n  request id: req_9\\n$`));
      expect(m.stdout()).toBe("");
    }
  });

  it("prints the first page, or every item as one JSON array as it arrives, or a table", async () => {
    const pages = [[{ id: "1", name: "a" }], [{ id: "2", name: "b" }]];
    const first = memoryIO(env);
    await run(["things", "list"], definition(fakeClient([], pages)), first.io);
    expect(JSON.parse(first.stdout())).toEqual({ data: [{ id: "1", name: "a" }], next_cursor: "c1" });
    const all = memoryIO(env);
    await run(["things", "list", "--all"], definition(fakeClient([], pages)), all.io);
    expect(JSON.parse(all.stdout())).toEqual([
      { id: "1", name: "a" },
      { id: "2", name: "b" },
    ]);
    const none = memoryIO(env);
    await run(["things", "list", "--all"], definition(fakeClient([], [])), none.io);
    expect(none.stdout()).toBe("[]\n");
    const table = memoryIO(env);
    await run(["things", "list", "--all", "--format", "table"], definition(fakeClient([], pages)), table.io);
    expect(table.stdout()).toBe("ID  NAME\n1   a\n2   b\n");
  });

  it("prints one JSON line per event and stops after --max-events", async () => {
    const def = definition(fakeClient([], [], [{ n: 1 }, { n: 2 }, { n: 3 }]));
    const m = memoryIO(env);
    expect(await run(["events", "stream", "--max-events", "2"], def, m.io)).toBe(EXIT.ok);
    expect(
      m
        .stdout()
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { event: "thing", id: "evt_1", data: { n: 1 } },
      { event: "thing", id: "evt_1", data: { n: 2 } },
    ]);
  });

  it("configure saves a profile (mode 600) that later commands use; --show redacts the key", async () => {
    const home = mkdtempSync(join(tmpdir(), "cli-run-"));
    const saved = memoryIO({}, home);
    const def = definition();
    expect(
      await run(["configure", "--base-url", "http://127.0.0.1:7", "--api-key", "secret-key-0001"], def, saved.io),
    ).toBe(EXIT.ok);
    const path = join(home, ".config", "thing", "config.json");
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({
      profiles: { default: { base_url: "http://127.0.0.1:7", api_key: "secret-key-0001" } },
    });
    await run(["things", "get", "t1"], def, memoryIO({}, home).io);
    expect(def.fake.created.at(-1)).toMatchObject({ baseURL: "http://127.0.0.1:7", apiKey: "secret-key-0001" });
    const show = memoryIO({}, home);
    expect(await run(["configure", "--show"], def, show.io)).toBe(EXIT.ok);
    expect(JSON.parse(show.stdout())).toMatchObject({
      api_key: "****0001",
      api_key_from: "profile",
      base_url_from: "profile",
    });
    expect(show.stdout()).not.toContain("secret-key");
    // No terminal to ask on, no flags: a usage error, the file untouched.
    const none = memoryIO({}, home);
    expect(await run(["configure"], def, none.io)).toBe(EXIT.usage);
    expect(await run(["configure", "--api-key", "has space"], def, memoryIO({}, home).io)).toBe(EXIT.usage);
    expect(JSON.parse(readFileSync(path, "utf8")).profiles.default.api_key).toBe("secret-key-0001");
  });

  it("prints completion scripts and candidates", async () => {
    const m = memoryIO(env);
    expect(await run(["completion", "bash"], definition(), m.io)).toBe(EXIT.ok);
    expect(m.stdout()).toContain("complete -o default -F _thing_complete thing");
    expect(await run(["completion", "tcsh"], definition(), memoryIO(env).io)).toBe(EXIT.usage);
    const c = memoryIO(env);
    await run(["__complete", "things", "cr"], definition(), c.io);
    expect(c.stdout()).toBe("create\tCreate a thing\n");
  });
});
