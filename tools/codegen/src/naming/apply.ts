import type { ApiIR, Model } from "../ir/types.ts";
import { clientStem } from "./client.ts";
import { assignNames, type LanguageRules, makeRules, type NamingOptions } from "./rules.ts";
import { LANGUAGES, type Language } from "./types.ts";
import { pascalCase, splitWords } from "./words.ts";

export type { NamingOptions } from "./rules.ts";

/**
 * Decorate the IR with per-language names: every node that becomes an identifier gets
 * `names[language]`. Returns a new IR (the input is not modified). Templates read names
 * from here and never compute them.
 *
 * Scopes (names are unique within each, deterministic, reserved words escaped):
 * - model types + resource classes + runtime/global names: one scope per language;
 * - model modules (file stems), case-insensitively unique;
 * - properties of one model; members of one enum; variants of one union; events of one stream;
 * - parameters of one operation; methods of one group; group properties on the client;
 * - headers of one response.
 */
export function applyNaming(ir: ApiIR, languages: readonly Language[] = LANGUAGES, options: NamingOptions = {}): ApiIR {
  const out = structuredClone(ir);
  for (const language of languages) nameFor(out, makeRules(language, options));
  out.namedFor = [...new Set([...out.namedFor, ...languages])].sort(
    (a, b) => LANGUAGES.indexOf(a) - LANGUAGES.indexOf(b),
  );
  nameClient(out);
  return out;
}

/**
 * The client class: the title's stem (`clientStem`), the same in every language; `Client` is
 * appended when a model, resource or channel class already has the name (or, for Python, its
 * `Async` twin).
 */
function nameClient(ir: ApiIR): void {
  // Canonical (language-independent) names, so every language gets the same client name
  // whichever languages this IR is named for.
  const taken = new Set<string>([
    ...ir.models.map((m) => m.name),
    ...ir.groups.map((g) => pascalCase(g.name)),
    ...ir.channels.map((c) => pascalCase(`${c.id} channel`)),
  ]);
  const stem = clientStem(ir.info.title);
  const free = (name: string) => !taken.has(name) && !taken.has(`Async${name}`);
  let name = free(stem) ? stem : `${stem}Client`;
  for (let n = 2; !free(name); n++) name = `${stem}Client${n}`;
  ir.client = { names: Object.fromEntries(ir.namedFor.map((lang) => [lang, { className: name }])) };
}

function set<T>(node: { names?: Partial<Record<Language, T>> }, language: Language, value: T): void {
  node.names = { ...(node.names ?? {}), [language]: value };
}

function nameFor(ir: ApiIR, rules: LanguageRules): void {
  const lang = rules.language;
  // Model types: components first so inline models yield on a clash, then by name.
  const models = [...ir.models].sort(
    (a, b) =>
      Number(a.origin !== "component") - Number(b.origin !== "component") ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  const typeNames = assignNames(
    rules,
    "type",
    models.map((m) => m.name),
  );
  const modules = assignNames(rules, "module", typeNames);
  models.forEach((m, i) => {
    set(m, lang, { type: typeNames[i] as string, module: modules[i] as string });
  });
  for (const m of ir.models) nameModelMembers(m, rules);

  // Resource classes share the type scope; on a clash they take a "Resource" suffix.
  const taken = new Set(typeNames);
  const groupClasses = ir.groups.map((g) => {
    const base = rules.convert("type", g.name);
    let name = rules.isReserved("type", base) || taken.has(base) ? `${base}Resource` : base;
    for (let n = 2; taken.has(name) || rules.isReserved("type", name); n++) name = `${base}Resource${n}`;
    taken.add(name);
    return name;
  });
  const groupProps = assignNames(
    rules,
    "property",
    ir.groups.map((g) => g.name),
  );
  const groupModules = assignNames(
    rules,
    "module",
    ir.groups.map((g) => g.name),
  );
  ir.groups.forEach((g, i) => {
    set(g, lang, {
      className: groupClasses[i] as string,
      property: groupProps[i] as string,
      module: groupModules[i] as string,
    });
  });

  // Methods: unique within their group.
  const byId = new Map(ir.operations.map((o) => [o.id, o]));
  for (const g of ir.groups) {
    const ops = g.operations.map((id) => byId.get(id)).filter((o) => o !== undefined);
    const methods = assignNames(
      rules,
      "method",
      resourceVerbs(
        g.name,
        ops.map((o) => o.id),
      ),
    );
    ops.forEach((o, i) => {
      set(o, lang, { method: methods[i] as string });
    });
  }
  for (const op of ir.operations) {
    const params = assignNames(
      rules,
      "param",
      op.parameters.map((p) => p.name),
    );
    op.parameters.forEach((p, i) => {
      set(p, lang, { param: params[i] as string });
    });
    for (const r of op.responses) {
      const fields = assignNames(
        rules,
        "field",
        r.headers.map((h) => h.name),
      );
      r.headers.forEach((h, i) => {
        set(h, lang, { field: fields[i] as string });
      });
      for (const c of r.contents) {
        if (!c.stream) continue;
        const variants = assignNames(
          rules,
          "variant",
          c.stream.events.map((e) => e.event ?? "message"),
        );
        c.stream.events.forEach((e, i) => {
          set(e, lang, { variant: variants[i] as string });
        });
      }
    }
  }
  const channelClasses = assignNames(
    rules,
    "type",
    ir.channels.map((c) => `${c.id} channel`),
    [...typeNames, ...groupClasses],
  );
  ir.channels.forEach((c, i) => {
    set(c, lang, {
      className: channelClasses[i] as string,
      method: byId.get(c.id)?.names?.[lang]?.method ?? rules.convert("method", c.id),
    });
  });
}

function nameModelMembers(m: Model, rules: LanguageRules): void {
  const lang = rules.language;
  if (m.kind === "object") {
    const fields = assignNames(
      rules,
      "field",
      m.properties.map((p) => p.wireName),
    );
    m.properties.forEach((p, i) => {
      set(p, lang, { field: fields[i] as string });
    });
  } else if (m.kind === "enum") {
    const members = assignNames(
      rules,
      "member",
      m.members.map((x) => x.suggestedName ?? String(x.value)),
    );
    m.members.forEach((x, i) => {
      set(x, lang, { member: members[i] as string });
    });
  } else if (m.kind === "union") {
    const raws = m.variants.map((v, i) => {
      if (v.discriminatorValues.length > 0) return v.discriminatorValues[0] as string;
      if (v.type.kind === "model") return v.type.name;
      if (v.type.kind === "primitive") return v.type.format ?? v.type.type;
      if (v.type.kind === "literal") return String(v.type.value);
      return `${v.type.kind} ${i + 1}`;
    });
    const variants = assignNames(rules, "variant", raws);
    m.variants.forEach((v, i) => {
      set(v, lang, { variant: variants[i] as string });
    });
  }
}

/**
 * Method names read like English on their resource: `createSequence` in group Sequences becomes
 * `create` (so `client.sequences.create`), `listHistory` in History becomes `list`. An id keeps
 * its full form when stripping the group's noun leaves nothing, or two ids of the group would
 * collide.
 */
export function resourceVerbs(group: string, ids: readonly string[]): string[] {
  const noun = splitWords(group).map((w) => w.toLowerCase());
  const singular = singularOf(noun);
  const stripped = ids.map((id) => {
    const words = splitWords(id).map((w) => w.toLowerCase());
    for (const tail of [noun, singular]) {
      if (tail.length > 0 && words.length > tail.length && words.slice(-tail.length).join(" ") === tail.join(" ")) {
        return words.slice(0, -tail.length).join("_");
      }
    }
    return id;
  });
  return stripped.map((name, i) => (stripped.indexOf(name) === stripped.lastIndexOf(name) ? name : (ids[i] as string)));
}

function singularOf(words: readonly string[]): string[] {
  const last = words[words.length - 1];
  if (last === undefined) return [];
  const one = last.endsWith("ies")
    ? `${last.slice(0, -3)}y`
    : last.endsWith("s") && !last.endsWith("ss")
      ? last.slice(0, -1)
      : last;
  return [...words.slice(0, -1), one];
}
