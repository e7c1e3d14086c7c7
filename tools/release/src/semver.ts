// The little of semver a release needs: parse, compare, and what counts as a major bump.

export interface Version {
  major: number;
  minor: number;
  patch: number;
  pre: string | undefined;
}

export function parseVersion(text: string): Version {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?$/.exec(text);
  if (!m) throw new Error(`not a semver version: ${JSON.stringify(text)}`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), pre: m[4] };
}

export function compareVersions(a: string, b: string): number {
  const x = parseVersion(a);
  const y = parseVersion(b);
  for (const k of ["major", "minor", "patch"] as const) if (x[k] !== y[k]) return x[k] - y[k];
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}

/**
 * Whether `next` may carry breaking changes after `released`: a higher major version, or below
 * 1.0.0 a higher minor one (0.x versions break on a minor bump, as Cargo and npm treat them).
 */
export function isMajorBump(released: string, next: string): boolean {
  const r = parseVersion(released);
  const n = parseVersion(next);
  if (r.major === 0 && n.major === 0) return n.minor > r.minor;
  return n.major > r.major;
}

/** The smallest version after `released` that may break: 1.4.2 -> 2.0.0, 0.3.1 -> 0.4.0. */
export function nextMajor(released: string): string {
  const r = parseVersion(released);
  return r.major === 0 ? `0.${r.minor + 1}.0` : `${r.major + 1}.0.0`;
}
