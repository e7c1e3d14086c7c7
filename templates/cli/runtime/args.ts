// From a command line to a request: the flags a command takes, each value turned into the type the
// contract declares, the body assembled from --data / --data-file and field flags. Nothing here
// talks to the network; a mistake is a UsageError and nothing is sent.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { UsageError } from "./errors.ts";
import type { CliRequestSpec, CommandSpec, FieldSpec, ParamSpec, ValueType } from "./types.ts";

/** Flags every command takes (a generated flag never uses these names). */
export const GLOBAL_FLAGS = {
  "base-url": { type: "string", help: "the API's base URL (else $<PREFIX>_BASE_URL, the profile, the default)" },
  "api-key": { type: "string", help: "the API key (else $<PREFIX>_API_KEY, then the profile)" },
  profile: { type: "string", help: "the profile of the config file to use (else $<PREFIX>_PROFILE, else default)" },
  format: { type: "string", help: "output: json (default) or table" },
  timeout: { type: "string", help: "seconds to wait for each attempt (default 60)" },
  "max-retries": { type: "string", help: "retries of a failed attempt (default 2)" },
  verbose: { type: "boolean", help: "log each request and answer to stderr (credentials redacted)" },
  help: { type: "boolean", short: "h", help: "show this help" },
} as const;

/** Flags of commands that send a body. */
export const BODY_FLAGS = {
  data: { type: "string", help: "the request body as JSON (field flags are applied on top)" },
  "data-file": { type: "string", help: "read the body from a file (`-`: standard input)" },
} as const;

/** Flags of list commands. */
export const PAGE_FLAGS = {
  all: { type: "boolean", help: "fetch every page and print all items (default: the first page)" },
} as const;

/** Flags of stream commands. */
export const STREAM_FLAGS = {
  "max-events": { type: "string", help: "stop after this many events (default: until interrupted)" },
} as const;

type FlagOption = { type: "string" | "boolean"; short?: string; multiple?: boolean };

/** Every flag a command takes, for parseArgs. */
export function flagOptions(command: CommandSpec): Record<string, FlagOption> {
  const options: Record<string, FlagOption> = {};
  for (const [name, def] of Object.entries(GLOBAL_FLAGS)) {
    options[name] = "short" in def ? { type: def.type, short: def.short } : { type: def.type };
  }
  if (command.body) for (const [name, def] of Object.entries(BODY_FLAGS)) options[name] = { type: def.type };
  if (command.kind === "page") for (const [name, def] of Object.entries(PAGE_FLAGS)) options[name] = { type: def.type };
  if (command.kind === "stream") {
    for (const [name, def] of Object.entries(STREAM_FLAGS)) options[name] = { type: def.type };
  }
  for (const p of command.params) {
    if (p.in === "path") continue;
    options[p.flag] = { type: p.type === "boolean" && !p.array ? "boolean" : "string", multiple: p.array === true };
  }
  for (const f of command.body?.fields ?? []) {
    options[f.flag] = { type: f.type === "boolean" && !f.array ? "boolean" : "string", multiple: f.array === true };
  }
  return options;
}

export interface ParsedCommand {
  /** Flag values as parseArgs returned them (strings, booleans, lists). */
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

/** Parses the words after `<group> <command>`; unknown flags and stray arguments are usage errors. */
export function parseCommandLine(command: CommandSpec, argv: readonly string[], program: string): ParsedCommand {
  const options = flagOptions(command);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, allowNegative: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(message)?.[1];
    const usage = `see \`${program} ${command.group} ${command.name} --help\``;
    if (unknown !== undefined) {
      const near = nearest(unknown.replace(/^-+/, ""), Object.keys(options));
      throw new UsageError(`unknown flag ${unknown}`, near ? `did you mean --${near}? (${usage})` : usage);
    }
    throw new UsageError(message.replace(/\. To specify a positional argument.*$/s, ""), usage);
  }
  return { values: parsed.values as ParsedCommand["values"], positionals: parsed.positionals };
}

/** The request a parsed command line makes, plus the per-request options. */
export interface BuiltRequest {
  spec: CliRequestSpec;
  idempotencyKey: string | undefined;
  lastEventId: string | undefined;
}

export interface BuildContext {
  /** Reads standard input whole (for `--data-file -`). */
  readStdin(): Uint8Array;
  /** Reads a file whole. */
  readFile(path: string): Uint8Array;
}

export const fileContext: BuildContext = {
  readStdin: () => readFileSync(0),
  readFile: (path) => readFileSync(path),
};

export function buildRequest(
  command: CommandSpec,
  parsed: ParsedCommand,
  program: string,
  context: BuildContext = fileContext,
): BuiltRequest {
  const usage = `see \`${program} ${command.group} ${command.name} --help\``;
  const pathParams = command.params.filter((p) => p.in === "path");
  if (parsed.positionals.length !== pathParams.length) {
    const want = pathParams.map((p) => `<${p.flag}>`).join(" ") || "no arguments";
    const got = parsed.positionals.length;
    throw new UsageError(
      `${command.group} ${command.name} takes ${want}; got ${got} argument${got === 1 ? "" : "s"}`,
      usage,
    );
  }
  const spec: CliRequestSpec = { method: command.method, path: command.path };
  let idempotencyKey: string | undefined;
  let lastEventId: string | undefined;

  pathParams.forEach((p, i) => {
    const text = parsed.positionals[i] as string;
    // An empty segment would address another resource (`/sequences/` is the list).
    if (text === "") throw new UsageError(`<${p.flag}> must not be empty`, usage);
    spec.pathParams = { ...spec.pathParams, [p.name]: scalar(text, p.type, `<${p.flag}>`) as string | number };
  });

  for (const p of command.params) {
    if (p.in === "path") continue;
    const raw = parsed.values[p.flag];
    if (raw === undefined) {
      if (p.required) throw new UsageError(`--${p.flag} is required`, usage);
      continue;
    }
    const value = paramValue(p, raw);
    if (p.role === "idempotency-key") {
      idempotencyKey = String(value);
      continue;
    }
    if (p.role === "last-event-id" && command.kind === "stream") {
      lastEventId = String(value);
      continue;
    }
    if (p.in === "query") {
      if (p.deepObject && isPlainObject(value)) {
        for (const [k, v] of Object.entries(value)) spec.query = { ...spec.query, [`${p.name}[${k}]`]: v as string };
      } else if (Array.isArray(value) && p.delimiter !== undefined) {
        spec.query = { ...spec.query, [p.name]: value.map(String).join(p.delimiter) };
      } else {
        spec.query = { ...spec.query, [p.name]: value as string };
      }
    } else if (p.in === "header") {
      const text = Array.isArray(value) ? value.map(String).join(", ") : String(value);
      spec.headers = {
        ...spec.headers,
        [p.name]: p.role === "if-match" || p.role === "if-none-match" ? etag(text) : text,
      };
    } else {
      spec.cookies = { ...spec.cookies, [p.name]: value as string };
    }
  }

  if (command.body) {
    const body = buildBody(command, parsed, usage, context);
    if (body !== undefined) {
      spec.body = body;
      spec.contentType = command.body.contentType;
    }
  }
  if (command.accept !== undefined) spec.accept = command.accept;
  if (command.responseType !== undefined) spec.responseType = command.responseType;
  return { spec, idempotencyKey, lastEventId };
}

function buildBody(command: CommandSpec, parsed: ParsedCommand, usage: string, context: BuildContext): unknown {
  const body = command.body as NonNullable<CommandSpec["body"]>;
  const data = parsed.values.data;
  const dataFile = parsed.values["data-file"];
  if (data !== undefined && dataFile !== undefined) throw new UsageError("pass --data or --data-file, not both", usage);
  let raw: Uint8Array | string | undefined;
  let source = "--data";
  if (typeof dataFile === "string") {
    source = dataFile === "-" ? "standard input" : dataFile;
    try {
      raw = dataFile === "-" ? context.readStdin() : context.readFile(dataFile);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
      throw new UsageError(`cannot read --data-file ${dataFile}: ${reason}`);
    }
  } else if (typeof data === "string") raw = data;

  if (body.kind === "binary") {
    if (raw === undefined) {
      if (body.required)
        throw new UsageError("this command sends a file: pass --data-file <path> (or - for stdin)", usage);
      return undefined;
    }
    return typeof raw === "string" ? new TextEncoder().encode(raw) : raw;
  }
  const text = raw === undefined ? undefined : typeof raw === "string" ? raw : utf8(raw, source);
  if (body.kind === "text") {
    if (text === undefined && body.required)
      throw new UsageError("this command sends text: pass --data or --data-file", usage);
    return text;
  }

  let value: unknown;
  if (text !== undefined) {
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new UsageError(`${source} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const set = body.fields.filter((f) => parsed.values[f.flag] !== undefined);
  if (set.length > 0) {
    if (value === undefined) value = {};
    if (!isPlainObject(value)) throw new UsageError(`${source} must be a JSON object to combine it with field flags`);
    for (const f of set)
      value[f.name] = fieldValue(f, parsed.values[f.flag] as string | boolean | (string | boolean)[]);
  }
  if (value === undefined) {
    const required = body.fields.filter((f) => f.required);
    if (body.required && required.length === 0 && body.fields.length === 0) {
      throw new UsageError("this command needs a body: pass --data or --data-file", usage);
    }
    if (body.required || required.length > 0) value = {};
    else return undefined;
  }
  if (isPlainObject(value)) {
    const missing = body.fields.filter((f) => f.required && !(f.name in value));
    if (missing.length > 0) {
      const names = missing.map((f) => `--${f.flag}`).join(", ");
      throw new UsageError(`missing ${names} (or the member${missing.length > 1 ? "s" : ""} in --data)`, usage);
    }
  }
  // JSON given whole is sent as written (it parsed): the server sees exactly what the user wrote,
  // and no nesting is too deep to serialise again (the server's own limits then answer).
  if (body.kind === "json" && set.length === 0 && text !== undefined) return text;
  return value;
}

function paramValue(p: ParamSpec, raw: string | boolean | (string | boolean)[]): unknown {
  const flag = `--${p.flag}`;
  if (Array.isArray(raw)) return listItems(raw, p.type, p.enum !== undefined).map((x) => scalar(x, p.type, flag));
  if (typeof raw === "boolean") return raw;
  return p.type === "json" ? json(raw, flag) : scalar(raw, p.type, flag);
}

function fieldValue(f: FieldSpec, raw: string | boolean | (string | boolean)[]): unknown {
  const flag = `--${f.flag}`;
  if (Array.isArray(raw)) return listItems(raw, f.type, f.enum !== undefined).map((x) => scalar(x, f.type, flag));
  if (typeof raw === "boolean") return raw;
  if (f.nullable && raw === "null") return null;
  return f.type === "json" ? json(raw, flag) : scalar(raw, f.type, flag);
}

/**
 * The items of a repeated flag. Lists of numbers, booleans and enum values also split at commas
 * (`--types a,b`); free text never does, a comma may be part of it.
 */
function listItems(raw: (string | boolean)[], type: ValueType, isEnum: boolean): (string | boolean)[] {
  const split = type === "integer" || type === "number" || type === "boolean" || isEnum;
  return raw.flatMap((x) => (typeof x === "string" && split ? x.split(",").filter((s) => s !== "") : [x]));
}

/** One value of a flag, as the type the contract declares. */
export function scalar(text: string | boolean, type: ValueType, flag: string): unknown {
  if (typeof text === "boolean") return text;
  switch (type) {
    case "integer": {
      const n = Number(text);
      if (!/^[-+]?\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) {
        throw new UsageError(`${flag} expects an integer, not ${JSON.stringify(text)}`);
      }
      return n;
    }
    case "number": {
      const n = Number(text);
      if (text.trim() === "" || !Number.isFinite(n)) {
        throw new UsageError(`${flag} expects a number, not ${JSON.stringify(text)}`);
      }
      return n;
    }
    case "boolean":
      if (text === "true") return true;
      if (text === "false") return false;
      throw new UsageError(`${flag} expects true or false, not ${JSON.stringify(text)}`);
    case "json":
      return json(text, flag);
    default:
      return text;
  }
}

function json(text: string, flag: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${flag} expects JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** An entity tag as HTTP wants it: a bare version `7` becomes `"7"`; `*`, `W/"7"` and `"7"` stay. */
export function etag(value: string): string {
  return value
    .split(",")
    .map((tag) => {
      const t = tag.trim();
      return t === "*" || t.startsWith('"') || t.startsWith("W/") ? t : `"${t}"`;
    })
    .join(", ");
}

/** Bytes as UTF-8 text; invalid UTF-8 is a usage error (it would be altered silently). */
function utf8(bytes: Uint8Array, source: string): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new UsageError(`${source} is not valid UTF-8`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The closest candidate within two edits (for "did you mean"). */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = distance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] as number;
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = current;
    }
  }
  return row[b.length] as number;
}
