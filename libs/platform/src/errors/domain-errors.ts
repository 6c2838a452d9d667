import { LedgerError } from './ledger-error';

export interface FieldProblem {
  field: string;
  problems: string[];
}

/** Input that can never be valid, whatever the state (HTTP 400). */
export class ValidationError extends LedgerError {
  readonly code = 'validation';
  constructor(
    message: string,
    readonly fields: FieldProblem[] = [],
  ) {
    super(message, { fields });
  }
}

/** The thing does not exist for this tenant (HTTP 404). Other tenants' data is "not found" too. */
export class NotFoundError extends LedgerError {
  readonly code = 'not_found';
}

/** A business rule forbids the command in the current state (HTTP 422). */
export class RuleViolation extends LedgerError {
  readonly code: string = 'rule_violation';
}

/** An Idempotency-Key was reused with a different request (HTTP 422). */
export class IdempotencyKeyReused extends RuleViolation {
  override readonly code = 'idempotency_key_reused';
}

/** Optimistic concurrency failed (HTTP 409). `currentRevision` is -1 when the stream does not exist. */
export class WrongExpectedVersion extends LedgerError {
  readonly code = 'wrong_expected_version';
  constructor(
    readonly stream: string,
    readonly expected: string,
    readonly currentRevision: bigint,
  ) {
    super(`stream ${stream} is at revision ${currentRevision}, expected ${expected}`, {
      currentRevision: Number(currentRevision),
    });
  }
}

/** A store or dependency cannot serve right now; retrying later may work (HTTP 503 + Retry-After). */
export class UnavailableError extends LedgerError {
  readonly code = 'unavailable';
  constructor(
    message: string,
    readonly retryAfterSeconds = 1,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

export const isWrongExpectedVersion = (e: unknown): e is WrongExpectedVersion =>
  e instanceof WrongExpectedVersion;
export const isUnavailable = (e: unknown): e is UnavailableError => e instanceof UnavailableError;
