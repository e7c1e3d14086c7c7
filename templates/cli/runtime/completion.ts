// Shell completion. The scripts are small and the same for every API: they ask the program itself
// (`<program> __complete <words>`) for the candidates, so completion always matches the commands,
// flags and enum values of the installed version.
import { flagOptions } from "./args.ts";
import type { CliDefinition, CommandSpec } from "./types.ts";

export const SHELLS = ["bash", "zsh", "fish"] as const;

const BUILTINS: readonly [string, string][] = [
  ["configure", "save a base URL and API key in a profile"],
  ["completion", "print a shell completion script"],
  ["help", "show help"],
  ["version", "print the version"],
];

/** The completion script of a shell, to source (`source <(tka completion bash)`). */
export function completionScript(shell: string, program: string): string | undefined {
  const fn = `_${program.replace(/[^A-Za-z0-9_]/g, "_")}_complete`;
  switch (shell) {
    case "bash":
      return `# bash completion for ${program}: source <(${program} completion bash)
${fn}() {
  local IFS=$'\\n' line
  COMPREPLY=()
  while IFS= read -r line; do
    COMPREPLY+=("\${line%%$'\\t'*}")
  done < <(${program} __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
}
complete -o default -F ${fn} ${program}
`;
    case "zsh":
      return `#compdef ${program}
# zsh completion for ${program}: source <(${program} completion zsh)
${fn}() {
  local -a lines values
  local line
  lines=("\${(@f)$(${program} __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  for line in "\${lines[@]}"; do
    [[ -n "$line" ]] && values+=("\${line%%$'\\t'*}:\${line#*$'\\t'}")
  done
  (( \${#values} )) && _describe '${program}' values || _files
}
compdef ${fn} ${program}
`;
    case "fish":
      return `# fish completion for ${program}: ${program} completion fish | source
complete -c ${program} -f -a '(${program} __complete (commandline -opc)[2..-1] (commandline -ct))'
`;
    default:
      return undefined;
  }
}

/**
 * The candidates for the last word of `words` (the words after the program name; the last one is
 * being typed and may be empty), as `value\tdescription` lines.
 */
export function complete(def: CliDefinition, words: readonly string[]): string[] {
  const current = words[words.length - 1] ?? "";
  const before = words.slice(0, -1);
  const match = (items: readonly [string, string][]) =>
    items.filter(([value]) => value.startsWith(current)).map(([value, text]) => `${value}\t${text}`);

  if (before.length === 0) {
    return match([...def.groups.map((g): [string, string] => [g.name, oneLine(g.description)]), ...BUILTINS]);
  }
  const [first, second] = before;
  if (first === "completion" && before.length === 1)
    return match([
      ["bash", ""],
      ["zsh", ""],
      ["fish", ""],
    ]);
  if (first === "help") {
    if (before.length === 1) return match(def.groups.map((g) => [g.name, oneLine(g.description)]));
    return match(def.commands.filter((c) => c.group === second).map((c) => [c.name, c.summary]));
  }
  const group = def.groups.find((g) => g.name === first);
  if (group === undefined) return [];
  if (before.length === 1) {
    return match(def.commands.filter((c) => c.group === group.name).map((c) => [c.name, c.summary]));
  }
  const command = def.commands.find((c) => c.group === group.name && c.name === second);
  if (command === undefined) return [];
  const previous = before[before.length - 1] ?? "";
  const values = valuesFor(command, previous);
  if (values !== undefined) return match(values.map((v) => [v, ""]));
  if (current.startsWith("-")) return match(flags(command));
  return [];
}

function flags(command: CommandSpec): [string, string][] {
  const docs = new Map<string, string>();
  for (const p of command.params) docs.set(p.flag, oneLine(p.description));
  for (const f of command.body?.fields ?? []) docs.set(f.flag, oneLine(f.description));
  const out: [string, string][] = [];
  for (const [name, option] of Object.entries(flagOptions(command))) {
    if (name === "help") continue;
    out.push([`--${name}`, docs.get(name) ?? ""]);
    if (option.type === "boolean" && docs.has(name)) out.push([`--no-${name}`, ""]);
  }
  return out;
}

/** The values a flag takes, when the contract lists them (or the CLI knows them). */
function valuesFor(command: CommandSpec, previous: string): string[] | undefined {
  if (!previous.startsWith("--")) return undefined;
  const name = previous.slice(2);
  if (name === "format") return ["json", "table"];
  const spec =
    command.params.find((p) => p.flag === name && p.in !== "path") ?? command.body?.fields.find((f) => f.flag === name);
  if (spec === undefined) return undefined;
  if (spec.enum) return spec.enum.map(String);
  return spec.type === "boolean" ? undefined : [];
}

function oneLine(text: string): string {
  const first = text.trim().split(/\n\s*\n/)[0] ?? "";
  const line = first.replace(/\s+/g, " ");
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}
