// Client text in text columns. PostgreSQL's text type cannot hold U+0000, and its JSON functions
// refuse an escaped U+0000 or a lone surrogate; SQLite would keep U+0000 but writes a lone
// surrogate as U+FFFD. So text columns that take client text (the sequence name kept for
// filtering, history descriptions, the name filter itself, idempotency keys) get U+FFFD in place
// of U+0000 and of lone surrogates, in both stores alike. Documents, commands, events and stored
// answers are JSON texts and keep both exactly (JSON.stringify escapes them; SQLite and
// PostgreSQL's `json` store the escapes as written), so a name holding either round-trips in
// the sequence itself. The HTTP layer may refuse such text earlier; this is the store's own
// guarantee beneath it: no client text turns into a database error.

/** `text` with U+0000 and lone surrogates replaced by U+FFFD (the same string when it has none). */
export function storableText(text: string): string {
  // With the u flag, \p{Cs} matches only surrogates that are not part of a pair.
  return UNSTORABLE.test(text) ? text.replace(UNSTORABLE_ALL, "\uFFFD") : text;
}

const UNSTORABLE = /[\0\p{Cs}]/u;
const UNSTORABLE_ALL = /[\0\p{Cs}]/gu;
