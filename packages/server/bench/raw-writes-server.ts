// The peer of the durable-mutation benchmark: a bare node:http server doing the least a durable
// JSON PATCH can do on the same SQLite settings (WAL, synchronous=FULL): parse the body, read the
// document, merge the metadata, bump the version, commit (one transaction and one fsync per
// request, on the main thread), answer the document. No auth, history, events or idempotency.
import { mkdtempSync } from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";

const db = new Database(join(mkdtempSync(join(tmpdir(), "tka-bench-raw-")), "raw.db"));
db.pragma("journal_mode = WAL");
db.pragma("synchronous = FULL");
db.exec("CREATE TABLE docs (id TEXT PRIMARY KEY, version INTEGER NOT NULL, doc TEXT NOT NULL)");
const read = db.prepare<[string], { version: number; doc: string }>("SELECT version, doc FROM docs WHERE id = ?");
const insert = db.prepare("INSERT INTO docs (id, version, doc) VALUES (?, ?, ?)");
const update = db.prepare("UPDATE docs SET version = ?, doc = ? WHERE id = ?");
const patch = db.transaction((id: string, metadata: unknown) => {
  const row = read.get(id);
  const doc = row === undefined ? { id, name: id, metadata: {}, version: 0 } : JSON.parse(row.doc);
  doc.metadata = metadata;
  doc.version += 1;
  const text = JSON.stringify(doc);
  if (row === undefined) insert.run(id, doc.version, text);
  else update.run(doc.version, text, id);
  return { text, version: doc.version as number };
});

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const id = req.url?.split("/").at(-1) ?? "";
    const { text, version } = patch(id, JSON.parse(Buffer.concat(chunks).toString()).metadata);
    res.writeHead(200, {
      "Content-Type": "application/json",
      ETag: `"${version}"`,
      "Content-Length": Buffer.byteLength(text),
    });
    res.end(text);
  });
});
server.listen(0, "127.0.0.1", () => {
  const address = server.address();
  console.log(JSON.stringify({ url: `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}` }));
});
