import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { StoreUnavailableError } from "../store/types.ts";
import { isDatabaseFault, isStatementTimeout } from "./database-faults.ts";

const withCode = (code: string, message = "x") => Object.assign(new Error(message), { code });

describe("isDatabaseFault", () => {
  it.each([
    ["connection refused", withCode("ECONNREFUSED", "connect ECONNREFUSED 127.0.0.1:5432")],
    ["connection reset", withCode("ECONNRESET")],
    ["timeout", withCode("ETIMEDOUT")],
    ["broken pipe", withCode("EPIPE")],
    ["host unreachable", withCode("EHOSTUNREACH")],
    ["every address refused", new AggregateError([withCode("ECONNREFUSED"), withCode("ECONNREFUSED")])],
    ["pg: admin shutdown", withCode("57P01", "terminating connection due to administrator command")],
    ["pg: cannot connect now", withCode("57P03")],
    ["pg: connection failure", withCode("08006")],
    ["pg: disk full", withCode("53100")],
    ["pg: too many connections", withCode("53300")],
    ["pg: I/O error", withCode("58030")],
    ["pg: data corrupted", withCode("XX001")],
    ["pg: password changed", withCode("28P01")],
    ["pg: connection terminated", new Error("Connection terminated unexpectedly")],
    ["pg: pool timeout", new Error("timeout exceeded when trying to connect")],
    ["pg: no answer within the query timeout", new Error("Query read timeout")],
    ["pg: wrapped timeout", new Error("Connection terminated due to connection timeout", { cause: new Error("x") })],
    ["sqlite: I/O", new Database.SqliteError("disk I/O error", "SQLITE_IOERR_WRITE")],
    ["sqlite: full", new Database.SqliteError("database or disk is full", "SQLITE_FULL")],
    ["sqlite: cannot open", new Database.SqliteError("unable to open database file", "SQLITE_CANTOPEN")],
    ["sqlite: corrupt", new Database.SqliteError("database disk image is malformed", "SQLITE_CORRUPT")],
    ["sqlite: not a database", new Database.SqliteError("file is not a database", "SQLITE_NOTADB")],
    ["sqlite: moved", new Database.SqliteError("attempt to write a readonly database", "SQLITE_READONLY_DBMOVED")],
    ["sqlite: busy after the timeout", new Database.SqliteError("database is locked", "SQLITE_BUSY")],
    ["the writer thread died", new StoreUnavailableError("the SQLite writer thread stopped")],
  ])("counts %s", (_, error) => {
    expect(isDatabaseFault(error)).toBe(true);
  });

  it.each([
    ["a stack overflow", new RangeError("Maximum call stack size exceeded")],
    ["a TypeError", new TypeError("Cannot read properties of undefined")],
    ["pg: NUL in text", withCode("22021", 'invalid byte sequence for encoding "UTF8": 0x00')],
    ["pg: untranslatable character", withCode("22P05")],
    ["pg: unique violation", withCode("23505")],
    ["pg: serialisation failure", withCode("40001")],
    ["pg: index row too large", withCode("54000")],
    ["pg: statement cancelled", withCode("57014")],
    ["sqlite: constraint", new Database.SqliteError("UNIQUE constraint failed", "SQLITE_CONSTRAINT_UNIQUE")],
    ["sqlite: too big", new Database.SqliteError("string or blob too big", "SQLITE_TOOBIG")],
    ["sqlite: closed connection", new TypeError("The database connection is not open")],
    ["a subclass with a pg message", new (class extends Error {})("Connection terminated unexpectedly")],
    ["a plain message", new Error("ECONNREFUSED")],
    ["not an error", "ECONNREFUSED"],
    ["nothing", undefined],
  ])("does not count %s", (_, error) => {
    expect(isDatabaseFault(error)).toBe(false);
  });

  it("stops following causes after a few levels (a cyclic cause cannot hang it)", () => {
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(isDatabaseFault(a)).toBe(false);
  });

  it("tells a statement the database cancelled after its time bound (not a fault, but retryable)", () => {
    expect(isStatementTimeout(withCode("57014", "canceling statement due to statement timeout"))).toBe(true);
    expect(isStatementTimeout(new Error("Query read timeout"))).toBe(false); // no answer at all: a fault
    expect(isStatementTimeout(withCode("57P01"))).toBe(false);
    expect(isStatementTimeout({ code: "57014" })).toBe(false);
  });
});
