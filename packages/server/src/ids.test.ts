import { describe, expect, it } from "vitest";
import { IdGenerator } from "./ids.ts";

describe("IdGenerator", () => {
  it("makes prefixed 26-character ULIDs that increase within one millisecond", () => {
    const ids = new IdGenerator();
    const made = Array.from({ length: 1000 }, () => ids.ulid(1_700_000_000_000));
    expect(made.every((id) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(id))).toBe(true);
    expect([...made].sort()).toEqual(made);
    expect(new Set(made).size).toBe(made.length);
    expect(ids.newId("sequence")).toMatch(/^seq_[0-9A-Z]{26}$/);
  });

  it("sorts by time across milliseconds", () => {
    const ids = new IdGenerator();
    expect(ids.ulid(1000) < ids.ulid(2000)).toBe(true);
  });
});
