// Maps the errors of the layers below to problem answers, in one place. Anything unexpected is
// a 500 that leaks nothing (decided by the caller).
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { DomainError, type FieldProblem } from "../domain/index.ts";
import { DatabaseUnavailableError } from "../resilience/circuit-breaker.ts";
import { ServiceError } from "../service/errors.ts";
import { etagOf } from "../service/if-match.ts";
import { VersionConflictError } from "../store/types.ts";
import { type ProblemContext, problem } from "./problem.ts";

const statuses: Record<DomainError["code"] | ServiceError["code"], ContentfulStatusCode> = {
  VALIDATION_FAILED: 422,
  NOT_FOUND: 404,
  BEAT_LIMIT_REACHED: 409,
  NOTHING_TO_UNDO: 409,
  NOTHING_TO_REDO: 409,
  VERSION_MISMATCH: 412,
  BAD_REQUEST: 400,
};

const titles: Record<DomainError["code"] | ServiceError["code"], string> = {
  VALIDATION_FAILED: "Validation failed",
  NOT_FOUND: "Not found",
  BEAT_LIMIT_REACHED: "Beat limit reached",
  NOTHING_TO_UNDO: "Nothing to undo",
  NOTHING_TO_REDO: "Nothing to redo",
  VERSION_MISMATCH: "Version mismatch",
  BAD_REQUEST: "Bad request",
};

export interface KnownError {
  status: ContentfulStatusCode;
  code: string;
  title: string;
  detail: string;
  fields: readonly FieldProblem[];
  headers: Record<string, string>;
}

/** What to answer for an error the domain or the service raised; undefined for anything else. */
export function knownError(error: unknown): KnownError | undefined {
  if (!(error instanceof DomainError) && !(error instanceof ServiceError)) return undefined;
  const headers: Record<string, string> = {};
  if (error instanceof ServiceError && error.currentVersion !== undefined) headers.ETag = etagOf(error.currentVersion);
  return {
    status: statuses[error.code],
    code: error.code,
    title: titles[error.code],
    detail: error.message,
    fields: error.fields,
    headers,
  };
}

/**
 * What to answer for an error a handler raised, where it has an answer: the domain's and the
 * service's errors, a concurrent writer that kept winning (409, retry), the database being
 * unavailable (503, retry). Undefined: an unexpected error (the caller logs it and answers 500).
 */
export function errorAnswer(error: unknown): KnownError | undefined {
  const known = knownError(error);
  if (known !== undefined) return known;
  if (error instanceof VersionConflictError) {
    const detail = "The sequence is being changed concurrently; retry.";
    return { status: 409, code: "CONFLICT", title: "Conflict", detail, fields: [], headers: { "Retry-After": "1" } };
  }
  if (error instanceof DatabaseUnavailableError) {
    return {
      status: 503,
      code: "SERVICE_UNAVAILABLE",
      title: "Service unavailable",
      detail: "The database is unavailable.",
      fields: [],
      headers: { "Retry-After": String(error.retryAfterSeconds) },
    };
  }
  return undefined;
}

/** The problem answer for a known error, or undefined for an unexpected one. */
export function problemFor(c: ProblemContext, error: unknown): Response | undefined {
  const known = errorAnswer(error);
  if (known === undefined) return undefined;
  const response = problem(c, known.status, known.code, known.title, known.detail, known.fields);
  for (const [name, value] of Object.entries(known.headers)) response.headers.set(name, value);
  return response;
}
