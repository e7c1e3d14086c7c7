// The pipeline's own pieces, on small inputs: path template matching, reading spector's
// array-shaped coverage file, deriving a call from a mock API definition, the table.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ApiIR } from "@tka/codegen/src/api.ts";
import { buildIR } from "@tka/codegen/src/index.ts";
import { loadDocument } from "@tka/codegen/src/loader/index.ts";
import { applyNaming } from "@tka/codegen/src/naming/index.ts";
import { json } from "@typespec/spec-api";
import { describe, expect, it } from "vitest";
import { deriveCalls, matchTemplate } from "../src/derive.ts";
import { planCall } from "../src/plan.ts";
import { renderTable } from "../src/report.ts";
import type { Scenario } from "../src/scenarios.ts";
import { readCoverage } from "../src/spector.ts";

function irOf(doc: object): ApiIR {
  const dir = mkdtempSync(join(tmpdir(), "conf-test-"));
  const file = join(dir, "openapi.json");
  writeFileSync(file, JSON.stringify(doc));
  return applyNaming(buildIR(loadDocument(file)), ["typescript", "python", "rust"]);
}

const doc = {
  openapi: "3.1.0",
  info: { title: "T", version: "1" },
  servers: [
    { url: "{endpoint}/svc/api-version:{version}", variables: { endpoint: { default: "" }, version: { default: "" } } },
  ],
  paths: {
    "/items/{id}": {
      put: {
        operationId: "Items_put",
        parameters: [
          { name: "id", in: "path", required: true, schema: { type: "string" } },
          { name: "count", in: "query", required: true, schema: { type: "integer" } },
          { name: "x-flag", in: "header", required: true, schema: { type: "boolean" } },
        ],
        requestBody: {
          required: true,
          content: { "application/json": { schema: { type: "object", properties: { name: { type: "string" } } } } },
        },
        responses: {
          "200": {
            description: "ok",
            content: { "application/json": { schema: { type: "object", properties: { name: { type: "string" } } } } },
          },
        },
      },
    },
  },
};

describe("matchTemplate", () => {
  it("returns the path values, decoded, or null", () => {
    expect(matchTemplate("/a/{x}/b", "/a/h%20i/b")).toEqual([{ name: "x", value: "h i" }]);
    expect(matchTemplate("/a/{x}/b", "/a/1/c")).toBeNull();
    expect(matchTemplate("/a.b", "/aXb")).toBeNull();
  });
});

describe("readCoverage", () => {
  it("merges the results of an array of reports (spector's shape) and of a single one", () => {
    const dir = mkdtempSync(join(tmpdir(), "conf-cov-"));
    const file = join(dir, "c.json");
    writeFileSync(file, JSON.stringify([{ results: { A: "pass" } }, { results: { B: "fail" } }]));
    expect(readCoverage(file)).toEqual({ A: "pass", B: "fail" });
    writeFileSync(file, JSON.stringify({ results: { C: "not-implemented" } }));
    expect(readCoverage(file)).toEqual({ C: "not-implemented" });
  });
});

describe("deriveCalls", () => {
  const ir = irOf(doc);
  const scenario = (apis: Scenario["apis"]): Scenario => ({
    name: "S",
    dir: { id: "x", area: "x", path: "/" },
    passCondition: "response-success",
    apis,
  });

  it("finds the operation under the server's path and types query and header values", () => {
    const derived = deriveCalls(
      scenario([
        {
          uri: "/svc/api-version:v2/items/42",
          method: "put",
          request: { query: { count: "3" }, headers: { "x-flag": "true" }, body: json({ name: "n" }) },
          response: { status: 200, body: json({ name: "n" }) },
        },
      ]),
      ir,
      { baseUrl: "http://localhost:1" },
    );
    expect(derived.ok).toBe(true);
    if (!derived.ok) return;
    const [call] = derived.calls;
    expect(call).toMatchObject({
      operationId: "Items_put",
      pathParams: [{ name: "id", value: "42" }],
      query: { count: 3 },
      headers: { "x-flag": true },
      body: { kind: "json", value: { name: "n" } },
      baseUrl: "http://localhost:1/svc/api-version:v2",
      expect: { status: 200 },
    });
    expect(planCall(ir, call as NonNullable<typeof call>, "typescript")).toMatchObject({
      method: "itemsPut",
      args: ["42", { name: "n" }],
      params: { count: 3, x_flag: true },
    });
    expect(planCall(ir, call as NonNullable<typeof call>, "python").params).toEqual({ count: 3, x_flag: true });
  });

  it("names what it cannot map instead of skipping it", () => {
    const derived = deriveCalls(scenario([{ uri: "/nowhere", method: "get", response: { status: 200 } }]), ir, {
      baseUrl: "http://localhost:1",
    });
    expect(derived).toEqual({ ok: false, reason: "no operation of the document serves GET /nowhere" });
    const undeclared = deriveCalls(
      scenario([
        {
          uri: "/svc/api-version:v2/items/1",
          method: "put",
          request: { headers: { "x-other": "1" } },
          response: { status: 200 },
        },
      ]),
      ir,
      { baseUrl: "http://localhost:1" },
    );
    expect(undeclared.ok).toBe(false);
  });
});

describe("renderTable", () => {
  it("counts passes over mapped scenarios per area, unmapped ones apart", () => {
    const r = (scenario: string, area: string, status: "pass" | "fail" | "unmapped") => ({
      scenario,
      dir: area,
      area,
      status,
    });
    const table = renderTable({
      typescript: [r("A", "type/x", "pass"), r("B", "type/x", "fail"), r("C", "routes", "unmapped")],
    });
    expect(table).toContain("| type/x | 2 | 1 / 2 |");
    expect(table).toContain("typescript SDK");
    expect(table).toContain("| routes | 1 | 0 / 0 (1 unmapped) |");
    expect(table).toContain("| **all** | **3** | **1 / 2 (1 unmapped)** |");
  });
});
