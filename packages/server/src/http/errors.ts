// Maps the errors of the layers below to problem+json answers. Anything unexpected is a 500 that
// leaks nothing; a store outage is a 503.
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { DomainError } from "../domain/index.ts";
import { ServiceError } from "../service/errors.ts";
import { etagOf } from "../service/if-match.ts";
import { problem } from "./problem.ts";
import type { RequestIdEnv } from "./request-id.ts";

const domainStatus: Record<DomainError["code"], ContentfulStatusCode> = {
  VALIDATION_FAILED: 422,
  NOT_FOUND: 404,
  BEAT_LIMIT_REACHED: 409,
  NOTHING_TO_UNDO: 409,
  NOTHING_TO_REDO: 409,
};

const serviceStatus: Record<ServiceError["code"], ContentfulStatusCode> = {
  NOT_FOUND: 404,
  VERSION_MISMATCH: 412,
  BAD_REQUEST: 400,
};

const titles: Record<string, string> = {
  VALIDATION_FAILED: "Validation failed",
  NOT_FOUND: "Not found",
  BEAT_LIMIT_REACHED: "Beat limit reached",
  NOTHING_TO_UNDO: "Nothing to undo",
  NOTHING_TO_REDO: "Nothing to redo",
  VERSION_MISMATCH: "Version mismatch",
  BAD_REQUEST: "Bad request",
};

/** The problem answer for a known error, or undefined for an unexpected one. */
export function problemFor(c: Context<RequestIdEnv>, error: unknown): Response | undefined {
  if (error instanceof DomainError) {
    return problem(
      c,
      domainStatus[error.code],
      error.code,
      titles[error.code] ?? error.code,
      error.message,
      error.fields,
    );
  }
  if (error instanceof ServiceError) {
    const response = problem(
      c,
      serviceStatus[error.code],
      error.code,
      titles[error.code] ?? error.code,
      error.message,
      error.fields,
    );
    if (error.currentVersion !== undefined) response.headers.set("ETag", etagOf(error.currentVersion));
    return response;
  }
  return undefined;
}
