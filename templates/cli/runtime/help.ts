// Help texts: the program, a group, a command. Every description is the contract's own text.
import { BODY_FLAGS, GLOBAL_FLAGS, PAGE_FLAGS, STREAM_FLAGS } from "./args.ts";
import { EXIT_CODE_HELP } from "./errors.ts";
import type { CliDefinition, CommandSpec, FieldSpec, GroupSpec, ParamSpec } from "./types.ts";

/** Wraps text at `width` columns, each line indented; paragraphs and list lines are kept. */
export function wrap(text: string, indent: number, width = 100): string {
  const pad = " ".repeat(indent);
  const out: string[] = [];
  for (const paragraph of text.trim().split(/\n\s*\n/)) {
    if (out.length > 0) out.push("");
    // Lines starting a list item stay on their own line.
    const lines = paragraph.split("\n").reduce<string[]>((acc, line) => {
      if (/^\s*([-*]|\d+\.)\s/.test(line) || acc.length === 0) acc.push(line.trim());
      else acc[acc.length - 1] += ` ${line.trim()}`;
      return acc;
    }, []);
    for (const line of lines) {
      let current = "";
      for (const word of line.split(/\s+/)) {
        if (current !== "" && pad.length + current.length + 1 + word.length > width) {
          out.push(pad + current);
          current = word;
        } else current = current === "" ? word : `${current} ${word}`;
      }
      if (current !== "") out.push(pad + current);
    }
  }
  return out.join("\n");
}

function firstParagraph(text: string): string {
  return (text.trim().split(/\n\s*\n/)[0] ?? "").replace(/\s+/g, " ");
}

function rows(items: readonly [string, string][], indent = 2): string {
  const w = Math.max(0, ...items.map(([a]) => a.length));
  return items.map(([a, b]) => `${" ".repeat(indent)}${a.padEnd(w)}  ${b}`.trimEnd()).join("\n");
}

function envNames(def: CliDefinition): string {
  const p = def.program.envPrefix;
  return `$${p}_BASE_URL, $${p}_API_KEY, $${p}_PROFILE`;
}

export function programHelp(def: CliDefinition): string {
  const { program } = def;
  const globals = Object.entries(GLOBAL_FLAGS).map(([name, d]) => [
    `--${name}${d.type === "string" ? " <value>" : ""}`,
    d.help.replaceAll("<PREFIX>", program.envPrefix),
  ]) as [string, string][];
  return [
    `${program.name} ${program.version}: the command line of the ${program.title} (${program.apiVersion})`,
    "",
    wrap(firstParagraph(program.description), 0),
    "",
    `Usage: ${program.name} <group> <command> [arguments] [flags]`,
    "",
    "Groups:",
    rows(def.groups.map((g) => [g.name, firstParagraph(g.description)])),
    "",
    "Other commands:",
    rows([
      ["configure", `save a base URL and API key in a profile (--show: the settings in effect)`],
      ["completion <shell>", "print the completion script for bash, zsh or fish"],
      ["help [group] [command]", "this help, or a group's or command's"],
      ["version", "print the version"],
    ]),
    "",
    "Global flags:",
    rows(globals),
    "",
    wrap(
      `Settings, first match wins: the flag, the environment (${envNames(def)}), the profile in ` +
        `~/.config/${program.name}/config.json, then the default ${program.defaultBaseURL}.`,
      0,
    ),
    "",
    "Exit codes:",
    rows(EXIT_CODE_HELP.map(([code, text]) => [String(code), text])),
    "",
    `Run \`${program.name} <group> --help\` for a group's commands, \`${program.name} <group> <command> --help\` for a command's flags.`,
    "",
  ].join("\n");
}

export function groupHelp(def: CliDefinition, group: GroupSpec): string {
  const commands = def.commands.filter((c) => c.group === group.name);
  return [
    wrap(group.description, 0),
    "",
    `Usage: ${def.program.name} ${group.name} <command> [arguments] [flags]`,
    "",
    "Commands:",
    rows(commands.map((c) => [c.name, `${c.summary}${c.deprecated ? " (deprecated)" : ""}`])),
    "",
    `Run \`${def.program.name} ${group.name} <command> --help\` for a command's arguments and flags.`,
    "",
  ].join("\n");
}

/** The placeholder of a flag's value: `<A|B|C>` for a few short enum values, else the type. */
function placeholder(p: {
  type: string;
  enum?: readonly (string | number | boolean)[] | undefined;
  flag: string;
}): string {
  if (p.type === "boolean") return "";
  if (p.enum && p.enum.length <= 8 && p.enum.join("|").length <= 40) return ` <${p.enum.join("|")}>`;
  const names: Record<string, string> = { string: "text", integer: "int", number: "number", json: "json" };
  return ` <${names[p.type] ?? "value"}>`;
}

function flagEntry(x: ParamSpec | FieldSpec): string {
  const negatable = x.type === "boolean" && !x.array ? ` | --no-${x.flag}` : "";
  const notes = [
    x.required ? "required" : "",
    x.array ? "repeatable" : "",
    "nullable" in x && x.nullable ? "`null` sends null" : "",
    x.enum && placeholder(x).includes("|") === false ? `one of: ${x.enum.join(", ")}` : "",
    x.default !== undefined ? `default: ${JSON.stringify(x.default)}` : "",
  ].filter(Boolean);
  const text = [x.description.trim() || "(no description)", notes.length > 0 ? `(${notes.join("; ")})` : ""]
    .filter(Boolean)
    .join(" ");
  return `  --${x.flag}${placeholder(x)}${negatable}\n${wrap(text, 6)}`;
}

export function commandHelp(def: CliDefinition, command: CommandSpec): string {
  const name = def.program.name;
  const positionals = command.params.filter((p) => p.in === "path");
  const flags = command.params.filter((p) => p.in !== "path" && p.role !== "pagination-cursor");
  const cursor = command.params.filter((p) => p.role === "pagination-cursor");
  const out: string[] = [`${command.summary}${command.deprecated ? " (deprecated)" : ""}`, ""];
  if (command.description.trim() !== "" && command.description.trim() !== command.summary.trim()) {
    out.push(wrap(command.description, 0), "");
  }
  out.push(
    `Usage: ${name} ${command.group} ${command.name}${positionals.map((p) => ` <${p.flag}>`).join("")} [flags]`,
    `       (${command.method.toUpperCase()} ${command.path})`,
    "",
  );
  if (positionals.length > 0) {
    out.push("Arguments:", ...positionals.map((p) => `  <${p.flag}>\n${wrap(p.description || p.name, 6)}`), "");
  }
  if (flags.length + cursor.length > 0) out.push("Flags:", ...[...flags, ...cursor].map(flagEntry), "");
  if (command.body) {
    const b = command.body;
    out.push(
      `Body (${b.contentType}${b.required ? "" : ", optional"}):`,
      ...b.fields.map(flagEntry),
      ...Object.entries(BODY_FLAGS).map(
        ([f, d]) => `  --${f} ${f === "data" ? "<json>" : "<path>"}\n${wrap(d.help, 6)}`,
      ),
      "",
    );
  }
  const extra: Record<string, { type: string; help: string }> =
    command.kind === "page" ? PAGE_FLAGS : command.kind === "stream" ? STREAM_FLAGS : {};
  if (Object.keys(extra).length > 0) out.push(command.kind === "page" ? "Listing:" : "Streaming:");
  for (const [f, d] of Object.entries(extra))
    out.push(`  --${f}${d.type === "string" ? " <n>" : ""}\n${wrap(d.help, 6)}`);
  if (Object.keys(extra).length > 0) out.push("");
  out.push(
    `Global flags: ${Object.keys(GLOBAL_FLAGS)
      .map((f) => `--${f}`)
      .join(", ")} (see \`${name} --help\`)`,
    "",
  );
  if (command.examples && command.examples.length > 0) {
    out.push("Examples:", ...command.examples.map((e) => `  ${e}`), "");
  }
  return out.join("\n");
}
