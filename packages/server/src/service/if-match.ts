// If-Match (RFC 9110 13.1.1): `*`, or a list of entity tags. Ours are strong tags of the version,
// `"7"`; a bare `7` is accepted too. Weak tags never match (strong comparison).

export function etagOf(version: number): string {
  return `"${version}"`;
}

export function ifMatchAllows(header: string, version: number): boolean {
  const value = header.trim();
  if (value === "*") return true;
  return value
    .split(",")
    .map((tag) => tag.trim())
    .some((tag) => tag === etagOf(version) || tag === String(version));
}
