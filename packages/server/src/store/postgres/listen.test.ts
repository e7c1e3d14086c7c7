import { describe, expect, it } from "vitest";
import { channelOf, parsePayload } from "./listen.ts";

describe("NOTIFY payloads", () => {
  it("reads instance, last event number, the range of positions and the project (which may hold ':')", () => {
    expect(parsePayload("i-1:42:7:9:prj_a")).toEqual({
      instanceId: "i-1",
      seq: 42,
      first: 7,
      last: 9,
      projectId: "prj_a",
    });
    expect(parsePayload("i:1:1:1:a:b:c")).toMatchObject({ first: 1, last: 1, projectId: "a:b:c" });
  });

  it("refuses anything else", () => {
    for (const payload of [
      "",
      "i:1:2",
      "i:1:2:3",
      "i:1:2:3:",
      "i:x:1:1:p",
      "i:1:0:1:p",
      "i:1:3:2:p",
      "i:1:1.5:2:p",
      "i:1:1:1e300:p",
    ]) {
      expect(parsePayload(payload), payload).toBeNull();
    }
  });

  it("gives each schema its own channel, a plain identifier", () => {
    expect(channelOf("public")).toMatch(/^tka_events_[0-9a-f]{16}$/);
    expect(channelOf("t1")).not.toBe(channelOf("t2"));
  });
});
