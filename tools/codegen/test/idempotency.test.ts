// Which operations the SDKs give a generated idempotency key (and so retry although they change
// something): exactly those whose document declares an idempotency header parameter, under the
// name it declares; the READMEs say which. Corpus goldens cover "all" (tka) and "none" (petstore);
// this document declares the header (spelt in lower case) on one of two mutations.
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateIR } from "../src/index.ts";
import { generate } from "../src/targets/index.ts";
import { pythonTarget } from "../src/targets/python/index.ts";
import { rustTarget } from "../src/targets/rust/index.ts";
import { idempotencyView } from "../src/targets/sdk-common.ts";
import { typescriptTarget } from "../src/targets/typescript/index.ts";
import { writeTree } from "./helpers.ts";

const DOC = `openapi: 3.1.0
info: {title: Orders API, version: '1'}
servers: [{url: 'https://api.example.com'}]
paths:
  /orders:
    get:
      operationId: listOrders
      tags: [orders]
      responses: {'200': {description: ok, content: {application/json: {schema: {type: array, items: {type: string}}}}}}
    post:
      operationId: createOrder
      tags: [orders]
      parameters:
        - {name: idempotency-key, in: header, schema: {type: string}}
      responses: {'201': {description: ok, content: {application/json: {schema: {type: string}}}}}
  /orders/{id}:
    delete:
      operationId: deleteOrder
      tags: [orders]
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses: {'204': {description: gone}}
`;

function files(target: "typescript" | "python" | "rust"): Map<string, string> {
  const dir = writeTree({ "openapi.yaml": DOC });
  const ir = generateIR(join(dir, "openapi.yaml"), { languages: [target] });
  const t = target === "typescript" ? typescriptTarget() : target === "python" ? pythonTarget() : rustTarget();
  return new Map(generate(t, ir, { source: "openapi.yaml" }).map((f) => [f.path, f.content]));
}

function find(all: Map<string, string>, suffix: string): string {
  const hit = [...all.keys()].find((p) => p.endsWith(suffix));
  if (hit === undefined) throw new Error(`no ${suffix} in ${[...all.keys()].join(", ")}`);
  return all.get(hit) as string;
}

describe("idempotency keys only where the document declares them", () => {
  it("decides per operation and lists the keyed ones", () => {
    const dir = writeTree({ "openapi.yaml": DOC });
    const view = idempotencyView(generateIR(join(dir, "openapi.yaml"), { languages: ["typescript"] }));
    expect(view).toEqual({ header: "idempotency-key", all: false, some: ["POST /orders"] });
  });

  it("typescript: the declared header on the keyed call only; the client's header for callers' keys", () => {
    const all = files("typescript");
    const orders = find(all, "resources/orders.ts");
    expect(orders.match(/idempotencyHeader: "idempotency-key"/g)).toHaveLength(1);
    expect(orders).toMatch(/method: "post"[^}]*idempotencyHeader: "idempotency-key"/);
    expect(find(all, "src/client.ts")).toContain('idempotencyHeader: "idempotency-key"');
    const readme = find(all, "README.md");
    expect(readme).toContain("so the server applies the change once: `POST /orders`.");
    expect(readme).toContain("Pass `idempotencyKey` (sent as `idempotency-key`)");
    expect(readme).not.toContain("Every other request (POST, PUT, PATCH,");
  });

  it("python: the declared header on the keyed call and in the client config", () => {
    const all = files("python");
    const orders = find(all, "resources/orders.py");
    expect(orders.match(/idempotency_header="idempotency-key"/g)).toHaveLength(2); // sync and async
    expect(orders.match(/An idempotency key is generated once per call/g)).toHaveLength(2);
    expect(find(all, "/_client.py")).toContain('idempotency_header="idempotency-key",');
    expect(find(all, "README.md")).toContain("so the server applies the change once: `POST /orders`.");
  });

  it("rust: the declared header in the keyed call's request chain", () => {
    const all = files("rust");
    const orders = find(all, "resources/orders.rs");
    expect(orders.match(/\.idempotency_header\("idempotency-key"\)/g)).toHaveLength(1);
    expect(find(all, "src/client.rs")).toContain('idempotency_header: Some("idempotency-key")');
    expect(find(all, "README.md")).toContain("Call `.idempotency_key(k)` (sent as `idempotency-key`)");
  });
});
