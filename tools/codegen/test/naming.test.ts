import { describe, expect, it } from "vitest";
import type { ApiIR } from "../src/ir/types.ts";
import {
  applyNaming,
  assignNames,
  camelCase,
  clientStem,
  makeRules,
  pascalCase,
  snakeCase,
  splitWords,
  upperSnakeCase,
} from "../src/naming/index.ts";
import { docWithSchemas, irOf } from "./helpers.ts";

describe("words and cases", () => {
  it.each([
    ["fooBar", ["foo", "Bar"]],
    ["foo_bar", ["foo", "bar"]],
    ["APIError", ["API", "Error"]],
    ["sequence.created", ["sequence", "created"]],
    ["SEQUENCE_CREATED", ["sequence", "created"]],
    ["Last-Event-ID", ["Last", "Event", "ID"]],
    ["int64", ["int64"]],
    ["V2Beta", ["V2", "Beta"]],
    ["1stPlace", ["1st", "Place"]],
    ["Model1stPlace", ["Model", "1st", "Place"]],
    ["café au lait", ["cafe", "au", "lait"]],
    ["", []],
  ])("%j splits into %j", (input, words) => {
    expect(splitWords(input)).toEqual(words);
  });

  it("converts between cases", () => {
    expect(pascalCase("sequence.created")).toBe("SequenceCreated");
    expect(upperSnakeCase("sequence.created")).toBe("SEQUENCE_CREATED");
    expect(camelCase("next_cursor")).toBe("nextCursor");
    expect(camelCase("APIError")).toBe("apiError");
    expect(snakeCase("BeatAddedEvent")).toBe("beat_added_event");
    expect(snakeCase("userID")).toBe("user_id");
  });
});

describe("per-language rules", () => {
  const ts = makeRules("typescript");
  const py = makeRules("python");
  const rs = makeRules("rust");
  const one = (rules: ReturnType<typeof makeRules>, kind: Parameters<typeof assignNames>[1], raw: string) =>
    assignNames(rules, kind, [raw])[0];

  it("escapes reserved words per language and kind", () => {
    // TS property names may be keywords; parameters may not.
    expect(["type", "in", "class"].map((w) => one(ts, "field", w))).toEqual(["type", "in", "class"]);
    expect(["in", "class", "body", "type"].map((w) => one(ts, "param", w))).toEqual([
      "in_",
      "class_",
      "bodyParam",
      "type",
    ]);
    // Python fields may be soft keywords (`event.type`, as openai-python); parameters may not
    // (the method body uses `type(None)`); pydantic's own members are escaped.
    expect(
      ["type", "match", "class", "from", "async", "self", "in", "None", "json", "model_config"].map((w) =>
        one(py, "field", w),
      ),
    ).toEqual(["type", "match", "class_", "from_", "async_", "self_", "in_", "none", "json_", "model_config_"]);
    expect(["type", "match", "class", "body"].map((w) => one(py, "param", w))).toEqual([
      "type_",
      "match_",
      "class_",
      "body_param",
    ]);
    expect(
      ["type", "in", "static", "move", "ref", "self", "Self", "crate", "async", "gen"].map((w) => one(rs, "field", w)),
    ).toEqual(["r#type", "r#in", "r#static", "r#move", "r#ref", "self_", "self_", "crate_", "r#async", "r#gen"]);
    expect(one(rs, "module", "type")).toBe("type_");
  });

  it("suffixes model types that shadow runtime, global or prelude names", () => {
    expect(["Client", "Error", "APIError", "Page", "Record", "Promise"].map((w) => one(ts, "type", w))).toEqual([
      "ClientModel",
      "ErrorModel",
      "APIErrorModel",
      "PageModel",
      "RecordModel",
      "PromiseModel",
    ]);
    expect(["None", "True", "Self", "Any", "Client", "Error"].map((w) => one(py, "type", w))).toEqual([
      "NoneModel",
      "TrueModel",
      "SelfModel",
      "AnyModel",
      "ClientModel",
      "Error",
    ]);
    expect(["Self", "Option", "None", "Result", "Error", "Vec", "Type"].map((w) => one(rs, "type", w))).toEqual([
      "SelfModel",
      "OptionModel",
      "NoneModel",
      "ResultModel",
      "ErrorModel",
      "VecModel",
      "Type",
    ]);
  });

  it("names enum members from odd values", () => {
    const values = ["sequence.created", "1st", "a-b", "a.b", "", "in", "self", "unknown"];
    expect(assignNames(ts, "member", values)).toEqual([
      "SequenceCreated",
      "V1st",
      "AB",
      "AB2",
      "Empty",
      "In",
      "Self",
      "UnknownValue",
    ]);
    expect(assignNames(py, "member", values)).toEqual([
      "SEQUENCE_CREATED",
      "V_1ST",
      "A_B",
      "A_B_2",
      "EMPTY",
      "IN",
      "SELF",
      "UNKNOWN_",
    ]);
    expect(assignNames(rs, "member", values)).toEqual([
      "SequenceCreated",
      "V1st",
      "AB",
      "AB2",
      "Empty",
      "In",
      "SelfValue",
      "UnknownValue",
    ]);
    expect(assignNames(py, "member", ["-1", "0", "1"])).toEqual(["MINUS_1", "V_0", "V_1"]);
  });

  it("resolves collisions after case conversion, preferring the already-idiomatic name", () => {
    expect(assignNames(ts, "field", ["foo_bar", "fooBar"])).toEqual(["fooBar2", "fooBar"]);
    expect(assignNames(py, "field", ["fooBar", "foo_bar"])).toEqual(["foo_bar_2", "foo_bar"]);
    expect(assignNames(rs, "field", ["self", "Self"])).toEqual(["self_", "self_2"]);
    // Names not already idiomatic keep declaration order.
    expect(assignNames(ts, "field", ["a-b", "a.b"])).toEqual(["aB", "aB2"]);
  });

  it("prefixes names that would start with a digit or be empty", () => {
    expect(["1st", "", "$"].map((w) => one(ts, "field", w))).toEqual(["field1st", "field", "field"]);
    expect(one(py, "field", "2fa")).toBe("field_2fa");
    expect(one(rs, "type", "3dModel")).toBe("Model3dModel");
  });

  it("module names are unique case-insensitively", () => {
    expect(assignNames(ts, "module", ["FooBar", "FOOBar", "foo_bar"])).toEqual(["foo-bar", "foo-bar-2", "foo-bar-3"]);
  });
});

describe("applyNaming", () => {
  const ir: ApiIR = irOf(
    "openapi: 3.1.0\ninfo: {title: t, version: '1'}\ntags: [{name: Client}]\npaths:\n  /x:\n    get:\n      operationId: getThing\n      tags: [Client]\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema:\n                $ref: '#/components/schemas/Client'\ncomponents:\n  schemas:\n    Client:\n      type: object\n      properties:\n        type: {type: string}\n",
  );

  it("adds names for every requested language without touching the input", () => {
    const named = applyNaming(ir);
    expect(ir.namedFor).toEqual([]);
    expect(ir.models[0]?.names).toBeUndefined();
    expect(named.namedFor).toEqual(["typescript", "python", "rust"]);
    expect(named.models[0]?.names).toEqual({
      typescript: { type: "ClientModel", module: "client-model" },
      python: { type: "ClientModel", module: "client_model" },
      rust: { type: "ClientModel", module: "client_model" },
    });
    expect(named.groups[0]?.names?.typescript).toEqual({
      className: "ClientResource",
      property: "client",
      module: "client",
    });
    expect(named.operations[0]?.names).toEqual({
      typescript: { method: "getThing" },
      python: { method: "get_thing" },
      rust: { method: "get_thing" },
    });
  });

  it("can name one language and honours extra runtime names", () => {
    const named = applyNaming(ir, ["rust"], { runtimeNames: { rust: ["Thing"] } });
    expect(Object.keys(named.models[0]?.names ?? {})).toEqual(["rust"]);
    const m = named.models[0];
    expect(m?.kind === "object" && m.properties[0]?.names).toEqual({ rust: { field: "r#type" } });
  });

  it("is deterministic", () => {
    expect(JSON.stringify(applyNaming(ir))).toBe(JSON.stringify(applyNaming(ir)));
  });
});

describe("client names", () => {
  it("derives one natural PascalCase name from any title", () => {
    const cases: Array<[string, string]> = [
      ["TKA API", "Tka"],
      ["COLLISIONS", "Collisions"],
      ["PAGER", "Pager"],
      ["GitHub's official OpenAPI spec + Octokit extension", "GitHub"],
      ["Swagger Petstore", "SwaggerPetstore"],
      ["USPTO Data Set API", "UsptoDataSet"],
      ["Train Travel API", "TrainTravel"],
      ["my-cool_api v2.1", "MyCool"],
      ["Café API", "Cafe"],
      ["日本語 API", "Api"],
      ["", "Api"],
      ["Support for different security types", "Support"],
    ];
    for (const [title, name] of cases) expect(clientStem(title), title).toBe(name);
  });

  it("is the same in every language, with Client appended when a model already has the name", () => {
    const ir = applyNaming(
      irOf(
        docWithSchemas("Pets:\n  type: object\n  properties:\n    id: {type: string}").replace(
          "title: t",
          "title: PETS API",
        ),
      ),
    );
    expect(ir.client.names).toEqual({
      typescript: { className: "PetsClient" },
      python: { className: "PetsClient" },
      rust: { className: "PetsClient" },
    });
    const plain = applyNaming(irOf(docWithSchemas("Other:\n  type: string").replace("title: t", "title: PETS API")), [
      "rust",
    ]);
    expect(plain.client.names).toEqual({ rust: { className: "Pets" } });
  });
});
