import { StaleTargetError, type DocumentWrite, type ProjectionStore } from '@ledger/projections/core';
import { isLedgerError, UnavailableError } from '@ledger/platform/errors';
import type { SqliteWrite } from './sqlite-document-writes';

// What crosses between createThreadedSqliteProjectionStore's store and its worker thread: calls, replies, errors.

export type RemoteMethod = Exclude<keyof ProjectionStore, 'close'>;

/** Every method of the port but close: the compiler fails here when the port gains one. */
export const REMOTE_METHODS = {
  registerProjection: true,
  getState: true,
  listStates: true,
  setStatus: true,
  getTarget: true,
  loadDocuments: true,
  commitBatch: true,
  resetCheckpoint: true,
  scanDocuments: true,
  addParked: true,
  listParked: true,
  getParked: true,
  removeParked: true,
  countParked: true,
  acquireLease: true,
  renewLease: true,
  releaseLease: true,
  createShadowTarget: true,
  prepareSwitch: true,
  switchLive: true,
  dropTarget: true,
  dropOrphanTargets: true,
} as const satisfies Record<RemoteMethod, true>;

export const isRemoteMethod = (m: unknown): m is RemoteMethod =>
  typeof m === 'string' && Object.hasOwn(REMOTE_METHODS, m);

export interface StoreThreadData {
  readonly file: string;
  readonly backgroundCheckpoints: boolean;
}

export interface Call {
  readonly id: number;
  readonly method: RemoteMethod | 'close';
  readonly args: readonly unknown[];
}

export type Reply =
  { readonly id: number; readonly value: unknown } | { readonly id: number; readonly error: EncodedError };

/**
 * An error as it crosses the thread: structured clone keeps an Error's message but not its class
 * or its `code`, and the engine decides by both (StaleTargetError is not a failure, an
 * UnavailableError or SQLITE_BUSY is retried).
 */
export interface EncodedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly code?: string;
  readonly details?: Record<string, unknown>;
  readonly retryAfterSeconds?: number;
}

export function encodeError(e: unknown): EncodedError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e) };
  const code = (e as { code?: unknown }).code;
  return {
    name: e.name,
    message: e.message,
    stack: e.stack,
    code: typeof code === 'string' ? code : undefined,
    details: isLedgerError(e) ? e.details : undefined,
    retryAfterSeconds: e instanceof UnavailableError ? e.retryAfterSeconds : undefined,
  };
}

export function decodeError(x: EncodedError): Error {
  let e: Error;
  if (x.code === 'stale_target') e = new StaleTargetError(String(x.details?.target));
  else if (x.code === 'unavailable') e = new UnavailableError(x.message, x.retryAfterSeconds);
  else {
    e = new Error(x.message);
    e.name = x.name;
    if (x.code !== undefined) Object.assign(e, { code: x.code });
  }
  e.stack = `${x.stack ?? `${x.name}: ${x.message}`}\n    at (projection store thread)`;
  return e;
}

/**
 * A commit's writes as they cross the thread: one array per field, each document already its JSON
 * text. Measured on rebuild pages (343-byte documents): posting the write objects cost 2.6 µs per
 * write on this side and 3.6 µs on the worker's (clone, then JSON.stringify there); this form costs
 * 1.6 and 0.6. The worker stores the text as is (SqliteWrite.body).
 */
export interface EncodedWrites {
  readonly ids: string[];
  readonly tenants: (string | null)[];
  readonly bodies: (string | null)[];
  readonly positions: unknown[];
  readonly keys: string[];
  /** Absent when no write has a guard of its own. */
  readonly guards?: (DocumentWrite<unknown>['guard'] | null)[];
}

export function encodeWrites(writes: readonly DocumentWrite<{ readonly tenantId: string }>[]): EncodedWrites {
  const n = writes.length;
  const e = {
    ids: new Array<string>(n),
    tenants: new Array<string | null>(n),
    bodies: new Array<string | null>(n),
    positions: new Array<unknown>(n),
    keys: new Array<string>(n),
    guards: undefined as (DocumentWrite<unknown>['guard'] | null)[] | undefined,
  };
  for (let i = 0; i < n; i++) {
    const w = writes[i];
    e.ids[i] = w.id;
    e.tenants[i] = w.doc === null ? null : w.doc.tenantId;
    e.bodies[i] = w.doc === null ? null : JSON.stringify(w.doc);
    e.positions[i] = w.position;
    e.keys[i] = w.positionKey;
    if (w.guard !== undefined) (e.guards ??= new Array(n).fill(null))[i] = w.guard;
  }
  return e;
}

export function decodeWrites(e: EncodedWrites): SqliteWrite<{ readonly tenantId: string }>[] {
  // Every write gets the same fields (absent ones undefined): one object shape for the store's
  // write loops, and no spread objects per write.
  return e.ids.map((id, i) => {
    const tenantId = e.tenants[i];
    const body = e.bodies[i];
    return {
      id,
      // Only the tenant is read from a write that carries its body.
      doc: tenantId === null || body === null ? null : { tenantId },
      body: body ?? undefined,
      position: e.positions[i] as DocumentWrite<unknown>['position'],
      positionKey: e.keys[i],
      guard: e.guards?.[i] ?? undefined,
    };
  });
}
