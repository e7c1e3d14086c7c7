// Opaque pagination cursors: base64url JSON of the sort key of the last item returned.
import { ServiceError } from "./errors.ts";

export function encodeCursor(key: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

function decode(cursor: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // falls through to the error below
  }
  throw invalid();
}

function invalid(): ServiceError {
  return new ServiceError("BAD_REQUEST", "The cursor is not one this server issued.", undefined, [
    { field: "query.cursor", code: "cursor", message: "must be a next_cursor value returned by this list" },
  ]);
}

export function decodeListCursor(cursor: string): { created_at: string; id: string } {
  const { c, i } = decode(cursor);
  if (typeof c !== "string" || typeof i !== "string") throw invalid();
  return { created_at: c, id: i };
}

export function decodeHistoryCursor(cursor: string): number {
  const { s } = decode(cursor);
  if (typeof s !== "number" || !Number.isSafeInteger(s)) throw invalid();
  return s;
}
