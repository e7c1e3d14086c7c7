import { readFileSync } from "node:fs";
import { Hono } from "hono";
import { parse } from "yaml";

const source = new URL("../../../../generated/openapi/openapi.3.1.yaml", import.meta.url);

/** Serves the contract: /openapi.yaml as generated, /openapi.json converted once at start. */
export function contractRoutes(): Hono {
  const yaml = readFileSync(source, "utf8");
  const json = JSON.stringify(parse(yaml));
  return new Hono()
    .get("/openapi.yaml", (c) => c.body(yaml, 200, { "Content-Type": "application/yaml; charset=utf-8" }))
    .get("/openapi.json", (c) => c.body(json, 200, { "Content-Type": "application/json" }));
}
