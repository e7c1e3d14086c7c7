// Errors the domain raises. Codes are the contract's ErrorCode values; the HTTP edge maps them
// to statuses, the domain never sees one.

export type DomainErrorCode =
  | "VALIDATION_FAILED"
  | "NOT_FOUND"
  | "BEAT_LIMIT_REACHED"
  | "NOTHING_TO_UNDO"
  | "NOTHING_TO_REDO";

/** One failing field: a JSON pointer into the input, a rule code and a message. */
export interface FieldProblem {
  field: string;
  code: string;
  message: string;
}

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  readonly fields: readonly FieldProblem[];

  constructor(code: DomainErrorCode, message: string, fields: readonly FieldProblem[] = []) {
    super(message);
    this.name = "DomainError";
    this.code = code;
    this.fields = fields;
  }
}

/** Collects field problems while validating one input, then throws them together. */
export class Problems {
  readonly list: FieldProblem[] = [];

  add(field: string, code: string, message: string): void {
    this.list.push({ field, code, message });
  }

  throwIfAny(what: string): void {
    if (this.list.length === 0) return;
    const n = this.list.length;
    throw new DomainError("VALIDATION_FAILED", `${what} has ${n} invalid field${n === 1 ? "" : "s"}.`, this.list);
  }
}
