// The contract as served: /openapi.yaml and /openapi.json, with `servers` naming the address the
// request came to, so /docs' "try it" and its copied curl commands work on whatever host and
// port the server runs (the committed document says http://127.0.0.1:8080, the default).
import { readFileSync } from "node:fs";
import type { Context } from "hono";
import { Hono } from "hono";
import { parse } from "yaml";

const source = new URL("../../../../generated/openapi/openapi.3.1.yaml", import.meta.url);

/** A host name, IPv4 address or bracketed IPv6 address, with an optional port. */
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]{2,45}\])(?::(\d{1,5}))?$/;

export interface ServerEntry {
  url: string;
  description: string;
}

/**
 * The `servers` entry for a request: its scheme and Host header when the header is a valid host
 * (and port), else the relative `/` (the document's own origin, which tools resolve themselves).
 * The scheme is https only when a proxy says so with `X-Forwarded-Proto: https`; nothing else
 * of a forwarded header is trusted.
 */
export function serverFor(host: string | undefined, forwardedProto: string | undefined): ServerEntry {
  const match = host === undefined || host.length > 261 ? null : HOST.exec(host);
  if (match === null || (match[1] !== undefined && Number(match[1]) > 65535)) {
    return { url: "/", description: "This server." };
  }
  const scheme = forwardedProto?.trim().toLowerCase() === "https" ? "https" : "http";
  return { url: `${scheme}://${(host as string).toLowerCase()}`, description: "This server." };
}

/** The YAML text with its top-level `servers:` block replaced (or added). */
export function yamlWithServers(yaml: string, servers: ServerEntry[]): string {
  const block = `servers:\n${servers.map((s) => `  - url: ${JSON.stringify(s.url)}\n    description: ${JSON.stringify(s.description)}\n`).join("")}`;
  const start = /^servers:[^\S\n]*\n/m.exec(yaml);
  if (start === null) return `${yaml.endsWith("\n") ? yaml : `${yaml}\n`}${block}`;
  // The block runs to the next line that starts a top-level key (or the end).
  const rest = yaml.slice(start.index + start[0].length);
  const next = /^\S/m.exec(rest);
  const end = start.index + start[0].length + (next === null ? rest.length : next.index);
  return `${yaml.slice(0, start.index)}${block}${yaml.slice(end)}`;
}

/** Serves the contract: /openapi.yaml as generated, /openapi.json converted once at start. */
export function contractRoutes(): Hono {
  const yaml = readFileSync(source, "utf8");
  const document = parse(yaml) as Record<string, unknown>;
  delete document.servers;
  // The JSON without its servers, closed per request with the request's own: no re-serialising.
  const jsonHead = JSON.stringify(document).slice(0, -1);
  const entry = (c: Context) => serverFor(c.req.header("Host"), c.req.header("X-Forwarded-Proto"));
  // The document differs by Host: caches must not hand one host's to another.
  const headers = { "Cache-Control": "no-cache", Vary: "Host, X-Forwarded-Proto" };
  return new Hono()
    .get("/openapi.yaml", (c) =>
      c.body(yamlWithServers(yaml, [entry(c)]), 200, {
        ...headers,
        "Content-Type": "application/yaml; charset=utf-8",
      }),
    )
    .get("/openapi.json", (c) =>
      c.body(`${jsonHead},"servers":${JSON.stringify([entry(c)])}}`, 200, {
        ...headers,
        "Content-Type": "application/json",
      }),
    );
}
