/**
 * What an `If-Match` / `If-None-Match` parameter accepts: an entity tag as the server sent it
 * (`"7"`, `W/"7"`, `*`, or a list), a bare tag value or version number (sent as the strong tag
 * `"7"`), or a resource that has a `version` (its version, as a strong tag).
 */
export type ETagInput = string | number | { readonly version: string | number };

/** The header value for an ETagInput; undefined stays undefined (the header is not sent). */
export function formatETag(value: ETagInput | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "number") return `"${value}"`;
  if (typeof value === "object") return `"${value.version}"`;
  const trimmed = value.trim();
  // Already an entity tag, a list of them, or `*`: as given.
  if (trimmed === "*" || trimmed.startsWith('"') || trimmed.startsWith("W/") || trimmed.includes(",")) return value;
  return `"${trimmed}"`;
}
