// Printing answers: JSON by default (pretty, or one line per event for streams), or a table where
// it helps (lists of objects; an object as field/value rows followed by its lists of objects).

/**
 * JSON as the CLI prints it: two-space indentation (`indent` 0: one line), a final newline. C1
 * control characters, which JSON.stringify leaves raw and some terminals obey, are escaped.
 */
export function toJSON(value: unknown, indent = 2): string {
  const text = JSON.stringify(value, null, indent === 0 ? undefined : indent) ?? "null";
  return `${text.replace(/[\u007f-\u009f]/g, escapeChar)}\n`;
}

/**
 * Text from the server made safe for a terminal: control characters (escape sequences could move
 * the cursor or rewrite earlier lines) are shown as `\uXXXX`; tabs become spaces. Newlines stay
 * only when `keepNewlines`.
 */
export function printable(text: string, keepNewlines = false): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) =>
    c === "\t" ? " " : c === "\n" && keepNewlines ? c : escapeChar(c),
  );
}

function escapeChar(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

const MAX_CELL = 60;

/** One cell: scalars as text, null and absent as empty, objects and lists as compact JSON, cut at 60. */
function cell(value: unknown): string {
  let text: string;
  if (value === null || value === undefined) text = "";
  else if (typeof value === "string") text = value;
  else if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") text = String(value);
  else text = JSON.stringify(value) ?? "";
  // One line per row: control characters (newlines, escapes a server could send) are shown, not obeyed.
  text = printable(text);
  return text.length > MAX_CELL ? `${text.slice(0, MAX_CELL - 1)}…` : text;
}

/** Rows of objects as an aligned table; `columns` fixes the columns, else the rows' scalar members. */
export function table(rows: readonly unknown[], columns?: readonly string[]): string {
  const records = rows.map((r) => (isRecord(r) ? r : { value: r }));
  const cols = columns && columns.length > 0 ? [...columns] : scalarKeys(records);
  if (cols.length === 0) return records.length === 0 ? "(none)\n" : toJSON(rows);
  const cells = [cols.map((c) => c.toUpperCase()), ...records.map((r) => cols.map((c) => cell(r[c])))];
  const widths = cols.map((_, i) => Math.max(...cells.map((row) => width(row[i] as string))));
  const lines = cells.map((row) =>
    row
      .map((text, i) => (i === row.length - 1 ? text : text + " ".repeat((widths[i] as number) - width(text))))
      .join("  ")
      .trimEnd(),
  );
  if (records.length === 0) lines.push("(none)");
  return `${lines.join("\n")}\n`;
}

/**
 * Any answer as a table: a list as rows; a page (`{data: [...]}`) as its items; an object as
 * field/value rows (nested objects flattened to `parent.child`), then each list of objects it
 * holds as a table of its own.
 */
export function tableOf(value: unknown, options: { columns?: readonly string[]; itemsField?: string } = {}): string {
  if (Array.isArray(value)) return table(value, options.columns);
  if (!isRecord(value)) return `${cell(value)}\n`;
  const items = options.itemsField !== undefined ? value[options.itemsField] : undefined;
  if (Array.isArray(items)) {
    const rest = Object.entries(value).filter(([k, v]) => k !== options.itemsField && v !== null && v !== undefined);
    const footer = rest.length > 0 ? `\n${rest.map(([k, v]) => `${k}: ${cell(v)}`).join("\n")}\n` : "";
    return table(items, options.columns) + footer;
  }
  const flat: [string, unknown][] = [];
  const lists: [string, unknown[]][] = [];
  const walk = (object: Record<string, unknown>, prefix: string, depth: number) => {
    for (const [k, v] of Object.entries(object)) {
      const key = prefix + k;
      if (Array.isArray(v) && v.length > 0 && v.every(isRecord)) lists.push([key, v]);
      else if (isRecord(v) && Object.keys(v).length > 0 && depth < 4) walk(v, `${key}.`, depth + 1);
      else flat.push([key, v]);
    }
  };
  walk(value, "", 0);
  const keyWidth = Math.max(0, ...flat.map(([k]) => width(k)));
  let out = flat.map(([k, v]) => `${k}${" ".repeat(keyWidth - width(k))}  ${cell(v)}`.trimEnd()).join("\n");
  out += flat.length > 0 ? "\n" : "";
  for (const [k, v] of lists) out += `\n${k}:\n${table(v)}`;
  return out;
}

/** Scalar members in first-seen order across the rows. */
function scalarKeys(rows: readonly Record<string, unknown>[]): string[] {
  const keys: string[] = [];
  for (const row of rows.slice(0, 50)) {
    for (const [k, v] of Object.entries(row)) {
      if (!keys.includes(k) && (v === null || typeof v !== "object")) keys.push(k);
    }
  }
  return keys;
}

/** Display width (code points; good enough for the text an API returns). */
function width(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
