// Wrong-key attempts, limited per client address with a token bucket (AUTH_FAILURE_LIMIT, 10 then
// one more every 5 s): each unknown key takes a token; an address without tokens gets 429 with
// Retry-After for every request that presents a key, valid or not (answering a valid key then
// would tell a guesser it found one), until its bucket refills. IPv6 clients are limited per /64,
// the block one subscriber usually gets.
import { RateLimiter } from "../http/rate-limit.ts";

export class AuthFailureLimiter {
  readonly #buckets: RateLimiter;

  constructor(options: { capacity: number; refillPerSecond: number }, now?: () => number) {
    this.#buckets = new RateLimiter(options, now);
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
