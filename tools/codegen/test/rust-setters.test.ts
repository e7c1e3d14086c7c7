// The rust target's setters of optional parameters: named clear of the methods of the runtime
// type a method returns (a duplicate inherent method does not compile, one shadowing a trait
// method breaks callers), with the names the runtime's sources really define.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateIR } from "../src/index.ts";
import { generate, templatesRoot } from "../src/targets/index.ts";
import { rustTarget } from "../src/targets/rust/index.ts";
import { RUNTIME_METHODS } from "../src/targets/rust/names.ts";

const doc = join(import.meta.dirname, "../corpus/rust/builder-names-3.1.yaml");
const files = generate(rustTarget(), generateIR(doc, { languages: ["rust"] }), { source: "builder-names-3.1.yaml" });
const text = (path: string) => files.find((f) => f.path === path)?.content ?? "";

/** The `pub fn` names of the `impl <type> {` block in a generated module. */
function setters(module: string, type: string): string[] {
  const block = text(`src/resources/${module}.rs`).split(`impl ${type} {`)[1]?.split("\n}\n")[0] ?? "";
  return [...block.matchAll(/pub fn (\w+)\(/g)].map((m) => m[1] as string);
}

/** Every method name of the runtime type's impl blocks (inherent and trait impls, private ones too). */
function runtimeMethods(file: string, type: string): string[] {
  const source = readFileSync(join(templatesRoot, "rust/runtime/src", file), "utf8");
  const names: string[] = [];
  let inside = false;
  for (const line of source.split("\n")) {
    if (line.startsWith("impl") && new RegExp(`\\b${type}<`).test(line.replace(/^impl<[^>]*>/, ""))) inside = true;
    else if (line === "}") inside = false;
    const m = /^\s*(?:pub(?:\([a-z]+\))? )?(?:async )?fn (\w+)/.exec(line);
    if (inside && m) names.push(m[1] as string);
  }
  return names;
}

describe("rust setters", () => {
  it("keep a parameter's name unless the returned type has a method of that name, then add _param", () => {
    expect(setters("things", "PendingRequest<models::Thing, ThingsGetParams>")).toEqual([
      "timeout_param2",
      "timeout_param",
      "header_param",
      "max_retries_param",
      "idempotency_key_param",
      "if_match_param",
      "options_param",
      "with_response_param",
      "params_param",
      "send_param",
      "into_param",
      "items",
    ]);
    expect(setters("things", "Paginator<models::Thing, ThingsListParams>")).toEqual([
      "limit",
      "cursor",
      "items_param",
      "pages_param",
      "page_param",
      "timeout_param",
      "if_match",
      "filter",
    ]);
    // An event stream is a Stream: `StreamExt::filter` and `next` must stay callable.
    expect(setters("events", "EventStream<String, EventsStreamParams>")).toEqual([
      "filter_param",
      "next_param",
      "close_param",
      "last_event_id_param",
      "kinds",
    ]);
  });

  it("make required query, header and If-Match parameters positional arguments", () => {
    const things = text("src/resources/things.rs");
    expect(things).toContain("if_match: impl Into<crate::runtime::ETag>,\n        timeout: i32,\n        mode: &str,");
    expect(setters("things", "PendingRequest<models::Thing, ThingsReplaceParams>")).toEqual(["note"]);
    // An optional Last-Event-ID is the stream's own `.last_event_id_start`, not a parameter.
    expect(text("src/resources/events.rs")).not.toContain('"Last-Event-ID"');
  });

  it.each([
    ["request", "pending.rs", "PendingRequest"],
    ["paginator", "pagination.rs", "Paginator"],
    ["stream", "sse.rs", "EventStream"],
  ] as const)("reserve every method the runtime's %s type defines", (kind, file, type) => {
    const defined = runtimeMethods(file, type);
    expect(defined.length).toBeGreaterThan(5);
    expect(defined.filter((n) => !RUNTIME_METHODS[kind].has(n))).toEqual([]);
  });
});
