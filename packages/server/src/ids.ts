// Server-assigned ids: a type prefix and a ULID (48-bit time + 80 random bits, Crockford base32).
// Ids made in the same millisecond increase, so "newest first, then by id" is a stable order.
import { randomFillSync } from "node:crypto";

const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const prefixes = { sequence: "seq", beat: "beat", command: "cmd", key: "key" } as const;

export type IdKind = keyof typeof prefixes;

/** Random bytes drawn from a pool refilled 4 KB at a time (one call per 256 ids, not one per id). */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

function randomDigits(count: number): number[] {
  if (poolAt + count > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const digits = new Array<number>(count);
  for (let i = 0; i < count; i++) digits[i] = (pool[poolAt + i] as number) & 31;
  poolAt += count;
  return digits;
}

export class IdGenerator {
  #lastTime = -1;
  #lastRandom: number[] = [];

  newId(kind: IdKind): string {
    return `${prefixes[kind]}_${this.ulid()}`;
  }

  ulid(now = Date.now()): string {
    let random: number[];
    if (now <= this.#lastTime) {
      random = increment(this.#lastRandom);
      now = this.#lastTime;
    } else {
      random = randomDigits(16);
    }
    this.#lastTime = now;
    this.#lastRandom = random;
    let time = "";
    for (let i = 0, t = now; i < 10; i++, t = Math.floor(t / 32)) time = alphabet[t % 32] + time;
    return time + random.map((d) => alphabet[d]).join("");
  }
}

function increment(digits: readonly number[]): number[] {
  const out = digits.slice();
  for (let i = out.length - 1; i >= 0; i--) {
    if ((out[i] as number) < 31) {
      out[i] = (out[i] as number) + 1;
      return out;
    }
    out[i] = 0;
  }
  throw new Error("ULID random part overflowed within one millisecond");
}
