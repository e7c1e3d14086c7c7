import { describe, expect, it } from "vitest";
import { compareVersions, isMajorBump, nextMajor, parseVersion } from "../src/semver.ts";

describe("semver", () => {
  it("parses x.y.z with an optional pre-release and refuses the rest", () => {
    expect(parseVersion("2.0.0-rc.1")).toEqual({ major: 2, minor: 0, patch: 0, pre: "rc.1" });
    for (const bad of ["1.0", "v1.0.0", "1.0.0.0", ""]) expect(() => parseVersion(bad)).toThrow(/not a semver/);
  });

  it("orders versions, a pre-release before its release", () => {
    expect(compareVersions("1.10.0", "1.9.9")).toBeGreaterThan(0);
    expect(compareVersions("2.0.0-rc.1", "2.0.0")).toBeLessThan(0);
    expect(compareVersions("1.0.0", "1.0.0")).toBe(0);
  });

  it("knows a major bump, also below 1.0.0", () => {
    expect(isMajorBump("1.4.2", "2.0.0")).toBe(true);
    expect(isMajorBump("1.4.2", "1.5.0")).toBe(false);
    expect(isMajorBump("0.3.1", "0.4.0")).toBe(true);
    expect(isMajorBump("0.3.1", "0.3.9")).toBe(false);
    expect(nextMajor("1.4.2")).toBe("2.0.0");
    expect(nextMajor("0.3.1")).toBe("0.4.0");
  });
});
