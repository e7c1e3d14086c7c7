import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { contractRoutes, serverFor, yamlWithServers } from "./contract.ts";

describe("the served contract's servers entry", () => {
  it("names the address the request came to", async () => {
    const app = contractRoutes();
    const json = (await (
      await app.request("http://x/openapi.json", { headers: { Host: "127.0.0.1:49152" } })
    ).json()) as { servers: unknown; paths: object };
    expect(json.servers).toEqual([{ url: "http://127.0.0.1:49152", description: "This server." }]);
    expect(Object.keys(json.paths)).toContain("/api/v1/sequences");
    const yamlResponse = await app.request("http://x/openapi.yaml", { headers: { Host: "api.example:8443" } });
    expect(yamlResponse.headers.get("Vary")).toContain("Host");
    const yaml = parse(await yamlResponse.text()) as { servers: unknown; openapi: string; paths: object };
    expect(yaml.servers).toEqual([{ url: "http://api.example:8443", description: "This server." }]);
    expect(yaml.openapi).toBe("3.1.0");
    expect(Object.keys(yaml.paths)).toContain("/api/v1/sequences");
  });

  it("trusts only a valid Host, else falls back to the relative /", () => {
    expect(serverFor("[::1]:8080", undefined).url).toBe("http://[::1]:8080");
    expect(serverFor("Example.COM", "https").url).toBe("https://example.com");
    expect(serverFor("example.com", "javascript").url).toBe("http://example.com");
    for (const bad of [
      undefined,
      "",
      "evil.example/path",
      "a b",
      "x:99999",
      "x:80:80",
      "<script>",
      'a"b',
      "user@host",
      `${"a".repeat(300)}.example`,
      "-bad.example",
    ]) {
      expect(serverFor(bad, undefined).url, String(bad)).toBe("/");
    }
  });

  it("replaces the YAML servers block wherever it is, or adds one", () => {
    const servers = [{ url: "http://h:1", description: "d" }];
    const middle = "openapi: 3.1.0\nservers:\n  - url: http://old\n    variables: {}\npaths: {}\n";
    expect(parse(yamlWithServers(middle, servers))).toEqual({ openapi: "3.1.0", servers, paths: {} });
    expect(parse(yamlWithServers("openapi: 3.1.0\nservers:\n  - url: http://old\n", servers))).toEqual({
      openapi: "3.1.0",
      servers,
    });
    expect(parse(yamlWithServers("openapi: 3.1.0", servers))).toEqual({ openapi: "3.1.0", servers });
  });
});
