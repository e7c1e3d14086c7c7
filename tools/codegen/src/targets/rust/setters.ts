// An operation's optional parameters: the params struct, its `RequestParams::apply` and the
// setters on the runtime type the method returns (templates/rust/method/params.rs.hbs), laid out
// as rustfmt prints them.
import type { Render } from "../types.ts";
import type { OperationParams } from "./parameters.ts";
import { chain, MAX_WIDTH, signature } from "./types.ts";

export interface ParamsOwner {
  className: string;
  method: string;
  /** The params struct's name. */
  name: string;
  /** The method's return type, `Paginator<models::X, XParams>`. */
  returns: string;
}

/** The module items of an operation's optional parameters. */
export function paramsItems(render: Render, owner: ParamsOwner, params: OperationParams): string {
  const head = `impl ${owner.returns} {`;
  // rustfmt puts a type too long for the line on its own, with the brace on the next line.
  const header = head.length <= MAX_WIDTH ? head : `impl\n    ${owner.returns}\n{`;
  const setters = params.fields.map((f) => {
    const assign = `        self.params_mut().${f.name} = Some(${f.value});`;
    return {
      doc: f.doc,
      deprecated: f.deprecated,
      signature: signature("    ", `pub fn ${f.setter}`, ["mut self", `value: ${f.takes}`], " -> Self {"),
      assign:
        assign.length <= MAX_WIDTH
          ? `${assign}\n`
          : `        self.params_mut().${f.name} =\n            Some(${f.value});\n`,
    };
  });
  return render("rust/method/params.rs.hbs", {
    className: owner.className,
    method: owner.method,
    name: owner.name,
    fields: params.fields,
    deprecated: params.fields.some((f) => f.deprecated),
    apply: applyChain(params.applyCalls),
    header,
    setters,
  }).trimEnd();
}

/**
 * `spec.query(..)...` as rustfmt prints it: a root no wider than the indent (`spec`) keeps the
 * first call on its line when the chain is vertical.
 */
function applyChain(calls: string[]): string {
  const text = chain("", "spec", calls, "", "        ");
  const lines = text.split("\n");
  if (lines[0] !== "        spec" || lines.length < 3) return text;
  return [`        spec${(lines[1] as string).trim()}`, ...lines.slice(2)].join("\n");
}
