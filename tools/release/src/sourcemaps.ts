// Source maps in a packed npm package must lead somewhere: every `sources` entry of every `.map`
// is a file in the package or is inlined (`sourcesContent`), and every `sourceMappingURL` comment
// names a map the package holds. A map pointing at files that were not shipped (../../src/x.ts
// without src/ in the tarball) gives debuggers and editors nothing but a 404.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

export interface SourceMapReport {
  /** Maps checked. */
  maps: number;
  /** Sources they name that resolved to a file of the package. */
  shipped: number;
  /** Sources they carry inline. */
  inlined: number;
  /** What does not resolve, one line each (paths relative to the package folder). */
  problems: string[];
}

/** Checks the maps of an unpacked package (the folder holding its package.json). */
export function checkSourceMaps(packageDir: string): SourceMapReport {
  const root = resolve(packageDir);
  const report: SourceMapReport = { maps: 0, shipped: 0, inlined: 0, problems: [] };
  const inside = (path: string) => path === root || path.startsWith(`${root}${sep}`);
  for (const file of walk(root)) {
    const rel = relative(root, file);
    if (file.endsWith(".map")) {
      report.maps++;
      let map: { sources?: unknown; sourcesContent?: unknown; sourceRoot?: unknown };
      try {
        map = JSON.parse(readFileSync(file, "utf8"));
      } catch {
        report.problems.push(`${rel}: not JSON`);
        continue;
      }
      const sources = Array.isArray(map.sources) ? map.sources : [];
      const contents = Array.isArray(map.sourcesContent) ? map.sourcesContent : [];
      const base = join(dirname(file), typeof map.sourceRoot === "string" ? map.sourceRoot : "");
      sources.forEach((source, i) => {
        if (typeof contents[i] === "string") {
          report.inlined++;
          return;
        }
        const target = typeof source === "string" && !/^[a-z]+:/i.test(source) ? resolve(base, source) : undefined;
        if (target !== undefined && inside(target) && existsSync(target)) report.shipped++;
        else report.problems.push(`${rel}: source ${JSON.stringify(source)} is neither in the package nor inlined`);
      });
    } else if (/\.(c|m)?js$|\.d\.(c|m)?ts$/.test(file)) {
      const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(file, "utf8"))?.[1];
      if (url === undefined || url.startsWith("data:")) continue;
      const target = resolve(dirname(file), url);
      if (!inside(target) || !existsSync(target)) report.problems.push(`${rel}: its map ${url} is not in the package`);
    }
  }
  return report;
}

function walk(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? walk(path) : [path];
    });
}
