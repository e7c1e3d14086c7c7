import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { complete, completionScript } from "../runtime/completion.ts";
import { definition } from "./fixture.ts";

const def = definition();
const values = (words: string[]) => complete(def, words).map((line) => line.split("\t")[0]);

describe("completion candidates", () => {
  it("complete groups and built-in commands, then a group's commands", () => {
    expect(values([""])).toEqual(["things", "events", "files", "configure", "completion", "help", "version"]);
    expect(values(["th"])).toEqual(["things"]);
    expect(values(["things", ""])).toEqual(["create", "update", "get", "list"]);
    expect(values(["things", "l"])).toEqual(["list"]);
    expect(values(["nope", ""])).toEqual([]);
    expect(values(["completion", ""])).toEqual(["bash", "zsh", "fish"]);
    expect(values(["help", "things", "c"])).toEqual(["create"]);
  });

  it("complete a command's flags (with --no- for booleans), the enum values of the contract and --format", () => {
    expect(values(["things", "create", "--s"])).toEqual(["--size", "--shiny"]);
    expect(values(["things", "create", "--no"])).toEqual(["--no-shiny"]);
    expect(complete(def, ["things", "create", "--na"])).toEqual(["--name\tIts name."]);
    expect(values(["things", "create", "--color", ""])).toEqual(["red", "green"]);
    expect(values(["things", "list", "--kinds", "b"])).toEqual(["b"]);
    expect(values(["things", "list", "--format", ""])).toEqual(["json", "table"]);
    expect(values(["things", "list", "--limit", ""])).toEqual([]);
    expect(values(["things", "list", "--all", "--l"])).toEqual(["--limit"]);
  });
});

describe("completion scripts", () => {
  it("are printed for bash, zsh and fish, and nothing else", () => {
    for (const shell of ["bash", "zsh", "fish"]) expect(completionScript(shell, "thing")).toContain("thing __complete");
    expect(completionScript("powershell", "thing")).toBeUndefined();
  });

  it("bash: the script, sourced, completes through the program", () => {
    // A stand-in `thing` on PATH that answers __complete the way the real program does.
    const bin = mkdtempSync(join(tmpdir(), "cli-complete-"));
    const fake = join(bin, "thing");
    writeFileSync(
      fake,
      `#!/bin/sh\n[ "$1" = __complete ] || exit 1\nshift\necho "args:$#:$*" >&2\nprintf 'create\\tCreate a thing\\ncolor\\tx\\n'\n`,
    );
    chmodSync(fake, 0o755);
    const script = completionScript("bash", "thing") as string;
    const out = execFileSync(
      "bash",
      ["-c", `${script}\nCOMP_WORDS=(thing things c); COMP_CWORD=2; _thing_complete; printf '%s|' "\${COMPREPLY[@]}"`],
      { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, encoding: "utf8" },
    );
    expect(out).toBe("create|color|");
  });
});
