/**
 * Remembers the response to a request made with an `Idempotency-Key`, per tenant, in the
 * event store's own database (so it lives exactly as long as the events it protects).
 */
export interface StoredResponse {
  readonly status: number;
  readonly body: unknown;
}

export interface IdempotencyRecord {
  readonly tenantId: string;
  readonly key: string;
  /** Hash of method + path + body: the same key with another request is refused. */
  readonly requestHash: string;
  /** Undefined while the first request is still running (or died before finishing). */
  readonly response?: StoredResponse;
  readonly createdAt: Date;
}

export type ClaimResult =
  { readonly claimed: true } | { readonly claimed: false; readonly record: IdempotencyRecord };

export interface IdempotencyStore {
  /**
   * Atomically takes the key for this request. If another request holds it, returns that record
   * instead. A pending claim older than `staleAfterMs` is taken over (its owner died).
   * @example const r = await idem.claim('default', 'k1', hash, new Date(), 30_000)
   */
  claim(
    tenantId: string,
    key: string,
    requestHash: string,
    now: Date,
    staleAfterMs: number,
  ): Promise<ClaimResult>;

  /** Stores the response of a claimed key. */
  complete(tenantId: string, key: string, response: StoredResponse): Promise<void>;

  /** Gives up a claim whose request failed without effect, so a retry runs again. */
  release(tenantId: string, key: string): Promise<void>;

  get(tenantId: string, key: string): Promise<IdempotencyRecord | undefined>;

  /** Deletes records created before `cutoff`; returns how many. Callers keep at least 24 h. */
  purgeOlderThan(cutoff: Date): Promise<number>;

  close(): Promise<void>;
}

export const IDEMPOTENCY_STORE = Symbol('IDEMPOTENCY_STORE');
