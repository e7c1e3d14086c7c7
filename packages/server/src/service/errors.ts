// Errors of the use cases that are not domain rules: missing resources, stale versions, bad cursors.
import type { FieldProblem } from "../domain/index.ts";

export type ServiceErrorCode = "NOT_FOUND" | "VERSION_MISMATCH" | "BAD_REQUEST";

export class ServiceError extends Error {
  readonly code: ServiceErrorCode;
  /** For VERSION_MISMATCH: the current version, sent back as the 412's ETag. */
  readonly currentVersion: number | undefined;
  readonly fields: readonly FieldProblem[];

  constructor(code: ServiceErrorCode, message: string, currentVersion?: number, fields: readonly FieldProblem[] = []) {
    super(message);
    this.name = "ServiceError";
    this.code = code;
    this.currentVersion = currentVersion;
    this.fields = fields;
  }
}
