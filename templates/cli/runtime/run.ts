// The program: finds the command, resolves settings, sends the request through the SDK client and
// prints the answer, or prints what went wrong and returns the failure's exit code.
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { buildRequest, nearest, parseCommandLine } from "./args.ts";
import { complete, completionScript, SHELLS } from "./completion.ts";
import {
  type ConfigFile,
  checkBaseURL,
  configPath,
  permissionWarning,
  readConfig,
  redact,
  resolveSettings,
  writeConfig,
} from "./config.ts";
import { describeFailure, EXIT, UsageError } from "./errors.ts";
import { commandHelp, groupHelp, programHelp } from "./help.ts";
import { printable, tableOf, toJSON } from "./output.ts";
import type { CliDefinition, CommandSpec, IO, StreamMessage } from "./types.ts";

/** Runs one command line (without the program name) and returns the exit code. */
export async function run(argv: readonly string[], def: CliDefinition, io: IO): Promise<number> {
  const out = (text: string) => io.stdout.write(text);
  const err = (text: string) => io.stderr.write(text);
  let command: CommandSpec | undefined;
  try {
    const [first, second] = argv;
    if (first === undefined || first === "-h" || first === "--help") {
      out(programHelp(def));
      return first === undefined ? EXIT.usage : EXIT.ok;
    }
    if (first === "help") return help(def, argv.slice(1), out);
    if (first === "version" || first === "--version" || first === "-V") {
      out(`${def.program.name} ${def.program.version} (${def.program.title} ${def.program.apiVersion})\n`);
      return EXIT.ok;
    }
    if (first === "completion") return completion(def, argv.slice(1), out);
    if (first === "__complete") {
      for (const line of complete(def, argv.slice(1))) out(`${line}\n`);
      return EXIT.ok;
    }
    if (first === "configure") return await configure(def, argv.slice(1), io);

    const group = def.groups.find((g) => g.name === first);
    if (group === undefined) {
      const names = [...def.groups.map((g) => g.name), "configure", "completion", "help", "version"];
      const near = first.startsWith("-") ? undefined : nearest(first, names);
      throw new UsageError(
        first.startsWith("-")
          ? `flags go after the command: ${def.program.name} <group> <command> [flags]`
          : `unknown command "${first}"`,
        near ? `did you mean \`${def.program.name} ${near}\`?` : `see \`${def.program.name} --help\``,
      );
    }
    if (second === undefined || second === "-h" || second === "--help") {
      out(groupHelp(def, group));
      return second === undefined ? EXIT.usage : EXIT.ok;
    }
    command = def.commands.find((c) => c.group === group.name && c.name === second);
    if (command === undefined) {
      const near = nearest(
        second,
        def.commands.filter((c) => c.group === group.name).map((c) => c.name),
      );
      throw new UsageError(
        `unknown command "${group.name} ${second}"`,
        near
          ? `did you mean \`${def.program.name} ${group.name} ${near}\`?`
          : `see \`${def.program.name} ${group.name} --help\``,
      );
    }
    return await runCommand(def, command, argv.slice(2), io);
  } catch (error) {
    const { code, lines } = describeFailure(error, def.errors, command, def.program.name);
    err(`${lines.join("\n")}\n`);
    return code;
  }
}

async function runCommand(def: CliDefinition, command: CommandSpec, argv: readonly string[], io: IO): Promise<number> {
  const name = def.program.name;
  const parsed = parseCommandLine(command, argv, name);
  const v = parsed.values;
  if (v.help === true) {
    io.stdout.write(commandHelp(def, command));
    return EXIT.ok;
  }
  const format = (v.format as string | undefined) ?? "json";
  if (format !== "json" && format !== "table") throw new UsageError(`--format must be json or table, not "${format}"`);
  const timeout = optionalNumber(v.timeout, "--timeout", (n) => n > 0, "a positive number of seconds");
  const maxRetries = optionalNumber(
    v["max-retries"],
    "--max-retries",
    (n) => Number.isInteger(n) && n >= 0,
    "a whole number >= 0",
  );
  const maxEvents = optionalNumber(
    v["max-events"],
    "--max-events",
    (n) => Number.isInteger(n) && n > 0,
    "a whole number > 0",
  );

  const config = readConfig(configPath(def.program, io));
  const settings = resolveSettings(
    def.program,
    io,
    {
      baseURL: v["base-url"] as string | undefined,
      apiKey: v["api-key"] as string | undefined,
      profile: v.profile as string | undefined,
    },
    config,
  );
  const warning = permissionWarning(settings.configPath, config);
  if (warning) io.stderr.write(`${name}: ${warning}\n`);
  const built = buildRequest(command, parsed, name);

  const log = (message: string, ...args: unknown[]) =>
    io.stderr.write(
      `${name}: ${printable(message)}${args.length > 0 ? ` ${printable(JSON.stringify(args.length === 1 ? args[0] : args))}` : ""}\n`,
    );
  const client = def.createClient({
    baseURL: settings.baseURL,
    apiKey: settings.apiKey ?? null,
    ...(timeout === undefined ? {} : { timeout: Math.round(timeout * 1000) }),
    ...(maxRetries === undefined ? {} : { maxRetries }),
    ...(v.verbose === true ? { logger: { debug: log, info: log } } : {}),
  });
  // Every change carries an idempotency key (the flag's, else a fresh one), so the SDK's retries
  // of a lost answer never apply it twice.
  const declaresKey = command.params.some((p) => p.role === "idempotency-key");
  const idempotencyKey = built.idempotencyKey ?? (declaresKey ? randomUUID() : undefined);
  const options = {
    ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
    ...(io.signal === undefined ? {} : { signal: io.signal }),
  };
  const print = (value: unknown, itemsField?: string) => {
    if (value === undefined || value === "") return;
    if (value instanceof Uint8Array) io.stdout.write(value);
    else if (typeof value === "string" && command.responseType === "text")
      io.stdout.write(value.endsWith("\n") ? value : `${value}\n`);
    else
      io.stdout.write(
        format === "table"
          ? tableOf(value, {
              ...(command.columns ? { columns: command.columns } : {}),
              ...(itemsField ? { itemsField } : {}),
            })
          : toJSON(value),
      );
  };

  if (command.kind === "call") {
    print(await client.request(built.spec, options));
    return EXIT.ok;
  }
  if (command.kind === "page") {
    const pages = client.requestPage(built.spec, options, { cursorParam: command.cursorParam });
    if (v.all !== true) {
      print((await pages).body, command.itemsField);
      return EXIT.ok;
    }
    if (format === "table") {
      const items: unknown[] = [];
      for await (const item of pages) items.push(item);
      print(items);
      return EXIT.ok;
    }
    // JSON: items are printed as they arrive, so a long list never sits in memory.
    let n = 0;
    for await (const item of pages) {
      io.stdout.write(`${n++ === 0 ? "[\n" : ",\n"}${indent(toJSON(item).trimEnd())}`);
    }
    io.stdout.write(n === 0 ? "[]\n" : "\n]\n");
    return EXIT.ok;
  }
  const stream = client.requestStream(built.spec, options, {
    lastEventId: built.lastEventId,
    decode: (message: StreamMessage) => ({
      event: message.event,
      id: message.id ?? null,
      data: parseData(message.data),
    }),
  });
  let seen = 0;
  for await (const event of stream) {
    if (format === "table")
      io.stdout.write(`${event.event}  ${event.id ?? "-"}  ${printable(JSON.stringify(event.data))}\n`);
    else io.stdout.write(toJSON(event, 0));
    if (maxEvents !== undefined && ++seen >= maxEvents) break;
  }
  return EXIT.ok;
}

function parseData(data: string): unknown {
  try {
    return JSON.parse(data);
  } catch {
    return data;
  }
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");
}

function optionalNumber(raw: unknown, flag: string, ok: (n: number) => boolean, what: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== "string" || raw.trim() === "" || !Number.isFinite(n) || !ok(n)) {
    throw new UsageError(`${flag} expects ${what}, not ${JSON.stringify(raw)}`);
  }
  return n;
}

function help(def: CliDefinition, words: readonly string[], out: (text: string) => void): number {
  const [groupName, commandName] = words;
  if (groupName === undefined) {
    out(programHelp(def));
    return EXIT.ok;
  }
  const group = def.groups.find((g) => g.name === groupName);
  if (group === undefined) throw new UsageError(`unknown group "${groupName}"`, `see \`${def.program.name} --help\``);
  if (commandName === undefined) {
    out(groupHelp(def, group));
    return EXIT.ok;
  }
  const command = def.commands.find((c) => c.group === group.name && c.name === commandName);
  if (command === undefined) {
    throw new UsageError(
      `unknown command "${group.name} ${commandName}"`,
      `see \`${def.program.name} ${group.name} --help\``,
    );
  }
  out(commandHelp(def, command));
  return EXIT.ok;
}

function completion(def: CliDefinition, words: readonly string[], out: (text: string) => void): number {
  const shell = words[0];
  const script = shell === undefined ? undefined : completionScript(shell, def.program.name);
  if (script === undefined) {
    throw new UsageError(
      `completion takes a shell: ${SHELLS.join(", ")}`,
      `bash: source <(${def.program.name} completion bash); zsh: source <(${def.program.name} completion zsh); fish: ${def.program.name} completion fish | source`,
    );
  }
  out(script);
  return EXIT.ok;
}

/**
 * `configure`: writes the base URL and/or API key of a profile (flags, else prompts on a terminal);
 * `configure --show` prints the settings in effect and where each came from (the key redacted).
 */
async function configure(def: CliDefinition, argv: readonly string[], io: IO): Promise<number> {
  const name = def.program.name;
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        profile: { type: "string" },
        "base-url": { type: "string" },
        "api-key": { type: "string" },
        show: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError(
      error instanceof Error ? error.message.replace(/\. To specify.*$/s, "") : String(error),
      `see \`${name} configure --help\``,
    );
  }
  const path = configPath(def.program, io);
  if (values.help === true) {
    io.stdout.write(
      [
        `Usage: ${name} configure [--profile <name>] [--base-url <url>] [--api-key <key>]`,
        `       ${name} configure --show [--profile <name>]`,
        "",
        `Saves the base URL and API key of a profile (default: "default") in ${path}, readable by you only.`,
        "Without --base-url or --api-key, on a terminal, it asks for both (Enter keeps the current value).",
        `Use a profile with --profile <name> or $${def.program.envPrefix}_PROFILE.`,
        "",
      ].join("\n"),
    );
    return EXIT.ok;
  }
  const config: ConfigFile = readConfig(path);
  const profileName = (values.profile as string | undefined) ?? "default";
  if (values.show === true) {
    const s = resolveSettings(def.program, io, { profile: values.profile as string | undefined }, config);
    io.stdout.write(
      toJSON({
        config_file: path,
        profile: s.profile,
        base_url: s.baseURL,
        base_url_from: s.sources.baseURL,
        api_key: redact(s.apiKey),
        api_key_from: s.sources.apiKey,
        profiles: Object.keys(config.profiles).sort(),
      }),
    );
    return EXIT.ok;
  }
  const current = config.profiles[profileName] ?? {};
  let baseURL = values["base-url"] as string | undefined;
  let apiKey = values["api-key"] as string | undefined;
  if (baseURL === undefined && apiKey === undefined) {
    if (io.stdin.isTTY !== true) {
      throw new UsageError(
        "pass --base-url and/or --api-key (there is no terminal to ask on)",
        `see \`${name} configure --help\``,
      );
    }
    const rl = createInterface({ input: io.stdin, output: io.stderr as NodeJS.WritableStream });
    try {
      const url = (await rl.question(`Base URL [${current.base_url ?? def.program.defaultBaseURL}]: `)).trim();
      const key = (await rl.question(`API key [${redact(current.api_key)}]: `)).trim();
      baseURL = url === "" ? undefined : url;
      apiKey = key === "" ? undefined : key;
    } finally {
      rl.close();
    }
  }
  if (baseURL !== undefined) checkBaseURL(baseURL, "--base-url");
  // A key travels in a header: visible ASCII only (no spaces, no control characters).
  if (apiKey !== undefined && !/^[\x21-\x7e]+$/.test(apiKey)) {
    throw new UsageError("--api-key must be visible ASCII characters (no spaces or control characters)");
  }
  config.profiles[profileName] = {
    ...current,
    ...(baseURL === undefined ? {} : { base_url: baseURL }),
    ...(apiKey === undefined ? {} : { api_key: apiKey }),
  };
  writeConfig(path, config);
  io.stderr.write(`${name}: saved profile "${profileName}" in ${path}\n`);
  return EXIT.ok;
}
