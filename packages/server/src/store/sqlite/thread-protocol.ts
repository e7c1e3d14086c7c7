// The messages between the store and its writer thread. Errors cross as data (a thread boundary
// keeps only an Error's message), and are rebuilt as the same classes on the store's side.
import Database from "better-sqlite3";
import { VersionConflictError } from "../types.ts";
import type { CommitRows } from "./commit-rows.ts";
import type { Call } from "./write-queue.ts";
import type { Outcome } from "./writes.ts";

export type Request = { id: number; commit: CommitRows } | { id: number; call: Call } | { id: number; close: true };

export type SentError =
  | { kind: "conflict"; sequenceId: string }
  | { kind: "sqlite"; message: string; code: string }
  | { kind: "other"; name: string; message: string };

export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: SentError };

export function replyOf(id: number, outcome: Outcome<unknown>): Reply {
  return outcome.ok ? { id, ok: true, value: outcome.value } : { id, ok: false, error: sendError(outcome.error) };
}

function sendError(error: unknown): SentError {
  if (error instanceof VersionConflictError) return { kind: "conflict", sequenceId: error.sequenceId };
  if (error instanceof Database.SqliteError) return { kind: "sqlite", message: error.message, code: error.code };
  if (error instanceof Error) return { kind: "other", name: error.name, message: error.message };
  return { kind: "other", name: "Error", message: String(error) };
}

export function receivedError(error: SentError): Error {
  switch (error.kind) {
    case "conflict":
      return new VersionConflictError(error.sequenceId);
    case "sqlite":
      return new Database.SqliteError(error.message, error.code);
    case "other": {
      const rebuilt = new Error(error.message);
      rebuilt.name = error.name;
      return rebuilt;
    }
  }
}
