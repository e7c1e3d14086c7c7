// Who the client is, for limits kept per client address (wrong API keys): the connection's peer,
// or, when the peer is a trusted reverse proxy (TRUST_PROXY: addresses and CIDR blocks), the
// address that proxy reports in X-Forwarded-For. The header is read from the right, the way the
// hops appended to it: every address that is itself a trusted proxy is skipped, and the first
// one that is not is the client. Anything to its left was written by the client and is not
// believed. Without trusted proxies (the default) the header is ignored altogether: anyone can
// send it, and believing it would let a guesser pick a fresh address for every attempt.
import { BlockList, isIP } from "node:net";

export class TrustedProxies {
  readonly #list = new BlockList();
  readonly #any: boolean;

  /** `entries`: addresses and CIDR blocks (`10.0.0.0/8`, `::1`, `fd00::/8`), as checked by `parseTrustedProxy`. */
  constructor(entries: readonly string[] = []) {
    for (const entry of entries) {
      const { address, prefix, family } = parseTrustedProxy(entry);
      if (prefix === undefined) this.#list.addAddress(address, family);
      else this.#list.addSubnet(address, prefix, family);
    }
    this.#any = entries.length > 0;
  }

  /** True when `address` (as a socket reports it) is one of the trusted proxies. */
  isTrusted(address: string): boolean {
    const normal = normalise(address);
    return this.#any && normal !== undefined && this.#trusted(normal);
  }

  #trusted(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.#list.check(address, family === 4 ? "ipv4" : "ipv6");
  }

  /**
   * The client behind `peer` (the socket's remote address). `forwardedFor` is the X-Forwarded-For
   * header (several headers joined with ", "); read only when the peer is trusted.
   */
  clientOf(peer: string | undefined, forwardedFor: string | string[] | undefined): string {
    let client = normalise(peer ?? "") ?? "unknown";
    if (!this.#any || forwardedFor === undefined) return client;
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor).split(",");
    for (let i = hops.length - 1; i >= 0 && this.#trusted(client); i--) {
      const hop = normalise((hops[i] as string).trim());
      // A hop that is not an address (a name, "unknown", garbage) ends the walk: the last
      // trusted proxy is then the best that is known of the client.
      if (hop === undefined) break;
      client = hop;
    }
    return client;
  }
}

/** An address as Node reports it, without a zone and with IPv4-mapped IPv6 as IPv4; undefined if it is none. */
function normalise(text: string): string | undefined {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  let address = bracketed ? (bracketed[1] as string) : text;
  // "1.2.3.4:5678" (a port some proxies append to IPv4 addresses).
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(address);
  if (withPort) address = withPort[1] as string;
  address = address.split("%")[0] as string;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  if (mapped) address = mapped[1] as string;
  return isIP(address) === 0 ? undefined : address.toLowerCase();
}

/** One TRUST_PROXY entry: an IPv4 or IPv6 address, optionally with a prefix length. Throws a RangeError when it is not one. */
export function parseTrustedProxy(entry: string): {
  address: string;
  prefix: number | undefined;
  family: "ipv4" | "ipv6";
} {
  const match = /^([^/\s]+)(?:\/(\d{1,3}))?$/.exec(entry);
  const address = match?.[1] ?? "";
  const version = isIP(address);
  const prefix = match?.[2] === undefined ? undefined : Number(match[2]);
  const most = version === 4 ? 32 : 128;
  if (version === 0 || (prefix !== undefined && prefix > most)) {
    throw new RangeError(`"${entry}" is not an IP address or a CIDR block like 10.0.0.0/8 or fd00::/8`);
  }
  return { address, prefix, family: version === 4 ? "ipv4" : "ipv6" };
}
