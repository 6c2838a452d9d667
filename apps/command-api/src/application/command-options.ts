/** What the HTTP layer knows about a command beyond the command itself. */
export interface CommandOptions {
  /** From `If-Match`: the revision the client last saw. No automatic retry when given. */
  readonly expectedRevision?: bigint;
  readonly idempotencyKey?: string;
  readonly correlationId: string;
  readonly causationId: string;
}

export interface CommandResult {
  readonly id: string;
  readonly revision: number;
  readonly position: string;
  readonly commentId?: string;
}
