/**
 * Root of every error the ledger throws on purpose. `code` is stable: it becomes the last
 * segment of the problem+json `type` URI, so clients may branch on it.
 */
export abstract class LedgerError extends Error {
  abstract readonly code: string;

  constructor(
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export const isLedgerError = (e: unknown): e is LedgerError => e instanceof LedgerError;
