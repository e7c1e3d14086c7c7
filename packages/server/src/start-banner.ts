// What a person sees when the server is up: where the app, the docs and the contract are, where
// the API key is kept, how to stop. Plain lines, printed before the JSON "listening" line that
// scripts read (they skip lines that are not JSON); nothing here starts with "{".

export interface BannerFacts {
  name: string;
  version: string;
  /** The host the server listens on and the port it got. */
  host: string;
  port: number;
  /** Where the first key was saved (data/api-key), when that file exists. */
  keyFile: string | undefined;
  /** The key was created by this start (it was printed just above). */
  keyCreatedNow: boolean;
  /** Keys given by API_KEYS. */
  environmentKeys: number;
  /** The database, with any password redacted. */
  database: string;
  webBuilt: boolean;
}

/** The URL a person can open: a wildcard address is reached as localhost; IPv6 in brackets. */
export function browsableOrigin(host: string, port: number): string {
  const name = host === "0.0.0.0" || host === "::" || host === "" ? "localhost" : host;
  return `http://${name.includes(":") ? `[${name}]` : name}:${port}`;
}

export function startBanner(facts: BannerFacts): string[] {
  const origin = browsableOrigin(facts.host, facts.port);
  const key =
    facts.keyFile !== undefined
      ? `${facts.keyCreatedNow ? "printed above, saved" : "kept"} in ${facts.keyFile} (project "default")`
      : facts.environmentKeys > 0
        ? `from API_KEYS (${facts.environmentKeys} key${facts.environmentKeys === 1 ? "" : "s"})`
        : "stored keys only; make one with: pnpm keys create --project NAME";
  const row = (label: string, value: string) => `    ${label.padEnd(9)} ${value}`;
  return [
    "",
    `  ${facts.name} ${facts.version} is ready`,
    row("Web app", facts.webBuilt ? `${origin}/` : `not built (pnpm -F @tka/web build, then restart)`),
    row("API docs", `${origin}/docs`),
    row("Contract", `${origin}/openapi.json`),
    row("API key", key),
    row("Database", facts.database),
    row("Stop", "Ctrl+C"),
    "",
  ];
}
