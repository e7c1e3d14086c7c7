// Start-up failures of the real process: a bad setting, a port in use, a database that cannot be
// reached or opened, a data directory that cannot be written. Each prints one line naming what to
// fix (no stack trace) and exits 1.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeExit, runToExit } from "./fixtures/server-process.ts";

const dataDir = () => mkdtempSync(join(tmpdir(), "tka-start-"));

async function listening(): Promise<Server> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

/** Exit 1, one line on stderr matching `line`, nothing that looks like a stack trace anywhere. */
async function expectOneLine(args: string[], env: Record<string, string>, line: RegExp): Promise<string> {
  const exited = await runToExit(args, { DATA_DIR: dataDir(), LOG_LEVEL: "info", ...env });
  const { stdout, stderr } = exited;
  expect(exited.code, describeExit(exited)).toBe(1);
  const errors = stderr.trimEnd().split("\n");
  expect(errors, stderr).toHaveLength(1);
  expect(errors[0]).toMatch(/^tka-server: /);
  expect(errors[0]).toMatch(line);
  expect(`${stdout}${stderr}`).not.toMatch(/^\s+at /m);
  return errors[0] as string;
}

describe("start-up failures", () => {
  it("a bad setting", async () => {
    await expectOneLine([], { PORT: "eighty" }, /^tka-server: invalid configuration: port must be an integer/);
    await expectOneLine(["--nope"], {}, /^tka-server: invalid configuration: Unknown option '--nope'.*--help/);
    await expectOneLine(
      [],
      { EVENT_RETENTION: "1h" },
      /invalid configuration: event-retention is an age of at least 24h/,
    );
  }, 180_000);

  it("a port in use", async () => {
    const taken = await listening();
    const { port } = taken.address() as { port: number };
    try {
      await expectOneLine(
        [],
        { PORT: String(port) },
        new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the port is already in use \\(set --port or PORT\\)$`),
      );
    } finally {
      taken.close();
    }
  }, 120_000);

  it("a database that cannot be reached, without printing its password", async () => {
    const closed = await listening();
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const line = await expectOneLine(
      [],
      { DATABASE_URL: `postgres://tka:s3cret-pw@127.0.0.1:${port}/tka` },
      new RegExp(`cannot reach the database postgres://tka:\\*\\*\\*@127\\.0\\.0\\.1:${port}/tka: .*ECONNREFUSED`),
    );
    expect(line).not.toContain("s3cret-pw");
  }, 120_000);

  it("a database file that is not a database", async () => {
    const dir = dataDir();
    writeFileSync(join(dir, "tka.db"), "this is not a database, but it is long enough to have a header".repeat(20));
    await expectOneLine(
      [],
      { DATA_DIR: dir },
      /cannot open the database sqlite:.*tka\.db: file is not a database \(SQLITE_NOTADB\)$/,
    );
  }, 120_000);

  it("a data directory that cannot be written", async () => {
    const file = join(dataDir(), "a-file");
    writeFileSync(file, "");
    await expectOneLine(
      [],
      { DATA_DIR: join(file, "data") },
      /cannot write the data directory .*a-file\/data: ENOTDIR on .* \(set --data-dir or DATA_DIR\)$/,
    );
  }, 120_000);

  // A read-only file system, for real (needs root to mount one).
  const canMount = process.getuid?.() === 0 && process.platform === "linux";
  describe.skipIf(!canMount)("on a read-only file system", () => {
    let mountPoint = "";
    beforeAll(() => {
      mountPoint = mkdtempSync(join(tmpdir(), "tka-ro-"));
      execFileSync("mount", ["-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", mountPoint]);
    });
    afterAll(() => {
      execFileSync("umount", ["-l", mountPoint]);
      rmSync(mountPoint, { recursive: true, force: true });
    });

    it("a data directory that cannot be written", async () => {
      await expectOneLine(
        [],
        { DATA_DIR: mountPoint },
        /cannot write the data directory \/tmp\/tka-ro-\w+: EROFS on .*\.write-test-\d+ \(set --data-dir or DATA_DIR\)$/,
      );
    }, 120_000);
  });

  it("prints the error itself too at LOG_LEVEL=debug", async () => {
    const dir = dataDir();
    mkdirSync(join(dir, "tka.db")); // a directory where the database file should be
    const exited = await runToExit([], { DATA_DIR: dir, LOG_LEVEL: "debug" });
    const { stderr } = exited;
    expect(exited.code, describeExit(exited)).toBe(1);
    expect(stderr.split("\n")[0]).toMatch(/^tka-server: cannot (open|write)/);
    expect(stderr).toMatch(/^\s+at /m);
  }, 120_000);
});
