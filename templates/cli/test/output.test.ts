import { describe, expect, it } from "vitest";
import { printable, table, tableOf, toJSON } from "../runtime/output.ts";

describe("output", () => {
  it("prints JSON pretty or on one line, with C1 control characters escaped", () => {
    expect(toJSON({ a: 1 })).toBe('{\n  "a": 1\n}\n');
    expect(toJSON({ a: "x\u009b2J" }, 0)).toBe('{"a":"x\\u009b2J"}\n');
    expect(JSON.parse(toJSON({ a: "x\u009by" }))).toEqual({ a: "x\u009by" });
  });

  it("aligns a table of rows, cuts long cells, shows control characters instead of obeying them", () => {
    const text = table([
      { id: "a", name: "First", tags: ["x"] },
      { id: "bb", name: "line\nbreak\u001b[31m", extra: true },
    ]);
    expect(text).toBe("ID  NAME                       EXTRA\na   First\nbb  line\\u000abreak\\u001b[31m  true\n");
    expect(table([{ v: "x".repeat(100) }]).split("\n")[1]).toHaveLength(60);
    expect(table([], ["id"])).toBe("ID\n(none)\n");
    expect(printable("a\tb\u0007")).toBe("a b\\u0007");
  });

  it("shows a page's items with the given columns and the rest of the page below", () => {
    const page = { data: [{ id: "1", name: "n", hidden: "h" }], next_cursor: "c2", has_more: true };
    expect(tableOf(page, { itemsField: "data", columns: ["id", "name"] })).toBe(
      "ID  NAME\n1   n\n\nnext_cursor: c2\nhas_more: true\n",
    );
  });

  it("shows an object as field/value rows, nested objects flattened, lists of objects as tables", () => {
    const text = tableOf({ id: "s1", history: { can_undo: true }, beats: [{ n: 1 }, { n: 2 }], empty: {} });
    expect(text).toBe("id                s1\nhistory.can_undo  true\nempty             {}\n\nbeats:\nN\n1\n2\n");
  });
});
