import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { reserialize, splice, typeEventStreams } from "../src/steps/sse-items.ts";

const generated = join(import.meta.dirname, "../../../generated/openapi");
/** A generated document without its do-not-edit line: what the emitter wrote. */
const emitted = (file: string) => readFileSync(join(generated, file), "utf8").replace(/^#.*\n/, "");

const doc = (media: string) => `openapi: 3.1.0
info:
  title: T
  version: '1'
paths:
  /events:
    get:
      operationId: events
      responses:
        '200':
          description: The stream.
          content:
            text/event-stream:
${media}
`;

describe("typeEventStreams", () => {
  const items =
    "              itemSchema:\n                type: object\n                required:\n                  - event";

  it("gives a 3.1 stream the 3.2 item schema, leaving the rest of the document as it was", () => {
    const before = doc("              schema:\n                type: string");
    const { text, typed } = typeEventStreams(before, doc(items));
    expect(typed).toEqual(["GET /events 200"]);
    const media = parse(text).paths["/events"].get.responses["200"].content["text/event-stream"];
    expect(media.schema).toMatchObject({ type: "object", required: ["event"] });
    expect(media.schema.description).toContain("itemSchema");
    expect(text.replace(/ {14}schema:[\s\S]*$/, "")).toBe(before.replace(/ {14}schema:[\s\S]*$/, ""));
  });

  it("rewrites only the stream's block: the same text as the whole document's round trip", () => {
    const v31 = emitted("openapi.3.1.yaml");
    const v32 = emitted("openapi.3.2.yaml");
    // What the emitter writes for 3.1: the stream typed as a string.
    const asEmitted = parse(v31);
    asEmitted.paths["/api/v1/events"].get.responses["200"].content["text/event-stream"].schema = { type: "string" };
    const yamlOptions = { singleQuote: true, aliasDuplicateObjects: false, lineWidth: 0, compat: "yaml-1.1" } as const;
    expect(typeEventStreams(stringify(asEmitted, yamlOptions), v32)).toEqual({
      text: v31,
      typed: ["GET /api/v1/events 200"],
    });
  });

  it("splices at the end of a document and under quoted keys; a missing key path gives undefined", () => {
    const text = "a:\n  '200':\n    b: 1\n    schema:\n      type: string\n";
    const keys = ["a", "200", "schema"];
    expect(splice(text, [{ keys, value: { type: "object", required: ["x"] } }])).toBe(
      "a:\n  '200':\n    b: 1\n    schema:\n      type: object\n      required:\n        - x\n",
    );
    expect(splice(text, [{ keys: ["a", "201", "schema"], value: {} }])).toBeUndefined();
    // A key of the same name deeper in a sibling's block is not the one meant.
    const nested = "a:\n  x:\n    schema: 1\n  schema: 2\nb: 3\n";
    expect(splice(nested, [{ keys: ["a", "schema"], value: 4 }])).toBe("a:\n  x:\n    schema: 1\n  schema: 4\nb: 3\n");
  });

  it("returns the text untouched when there is no stream", () => {
    const text = "openapi: 3.1.0\npaths: {}\n# a comment the YAML round trip would drop\n";
    expect(typeEventStreams(text, text)).toEqual({ text, typed: [] });
  });

  it("re-serialises the emitter's documents byte for byte (so only the stream changes)", () => {
    const v32 = emitted("openapi.3.2.yaml");
    expect(reserialize(v32)).toBe(v32);
    const v31 = emitted("openapi.3.1.yaml");
    expect(reserialize(v31)).toBe(v31);
    expect(typeEventStreams(v31, v32)).toEqual({ text: v31, typed: ["GET /api/v1/events 200"] });
  });
});
