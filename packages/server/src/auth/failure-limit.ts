// Wrong-key attempts, limited per client address with a token bucket (AUTH_FAILURE_LIMIT, 10 then
// one more every 5 s): each unknown key takes a token; an address without tokens gets 429 with
// Retry-After for every request that presents a key, valid or not (answering a valid key then
// would tell a guesser it found one), until its bucket refills. IPv6 clients are limited per /64,
// the block one subscriber usually gets. The client address is the peer's, or the one a trusted
// reverse proxy reports (client-address.ts). `checkKey` applies all this to a presented key, for
// HTTP requests and WebSocket connections alike.
import { RateLimiter } from "../http/rate-limit.ts";
import type { ApiKeys, Principal } from "./api-keys.ts";
import { TrustedProxies } from "./client-address.ts";

export interface AuthFailureLimitOptions {
  capacity: number;
  refillPerSecond: number;
  /** Reverse proxies whose X-Forwarded-For is believed (TRUST_PROXY; none by default). */
  trustedProxies?: readonly string[];
}

export class AuthFailureLimiter {
  readonly #buckets: RateLimiter;
  readonly #proxies: TrustedProxies;

  constructor(options: AuthFailureLimitOptions, now?: () => number) {
    this.#buckets = new RateLimiter(options, now);
    this.#proxies = new TrustedProxies(options.trustedProxies);
  }

  /** The client's address: the peer's, or behind trusted proxies the one they forward. */
  clientOf(peer: string | undefined, forwardedFor: string | string[] | undefined): string {
    return this.#proxies.clientOf(peer, forwardedFor);
  }

  /** Seconds `address` must wait before presenting a key again (0: it may now). */
  wait(address: string): number {
    return this.#buckets.wait(addressKey(address));
  }

  /** Counts an unknown key presented from `address`. */
  failed(address: string): void {
    this.#buckets.take(addressKey(address));
  }
}

/** The unit limited: an IPv4 address (also IPv4-mapped IPv6), or an IPv6 address's /64. */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1] as string;
  if (!address.includes(":")) return address;
  const [head = "", tail = ""] = address.toLowerCase().split("%")[0]?.split("::") ?? [];
  const left = head === "" ? [] : head.split(":");
  const right = tail === "" ? [] : tail.split(":");
  const groups = address.includes("::")
    ? [...left, ...Array(8 - left.length - right.length).fill("0"), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

export type KeyCheck =
  | { principal: Principal }
  | { refused: "unknown" }
  | { refused: "limited"; retryAfterSeconds: number };

/**
 * A presented key, checked under the limit of wrong keys from `client`: with the address's bucket
 * empty, any key is refused as `limited` without being looked at; an unknown key takes a token.
 */
export async function checkKey(
  keys: ApiKeys,
  failures: AuthFailureLimiter,
  key: string,
  client: string,
): Promise<KeyCheck> {
  const wait = failures.wait(client);
  if (wait > 0) return { refused: "limited", retryAfterSeconds: wait };
  const principal = await keys.authenticate(key);
  if (principal !== null) return { principal };
  failures.failed(client);
  return { refused: "unknown" };
}
