import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ReadDocument } from '../core/projection';
import type { ProjectionStore } from '../core/projection-store.port';
import { LeaseHeldError } from '../core/projection-errors';

/**
 * The port's leases say only "held" or "free"; an operator refused by a lease needs to know by
 * whom. So whoever takes an operation lease also writes a small holder record into a reserved
 * read model, `_operations`, through the same port (so it works on SQLite and MongoDB alike).
 * Names starting with `_` are never read models: `projections status` and `--all` skip them.
 */
export const OPERATIONS_BOARD = '_operations';
const BOARD_TENANT = '_system';
// Records are overwritten in place: a constant key with the 'not-older' guard always applies.
const BOARD_KEY = '0';

export interface LeaseHolder {
  readonly lease: string;
  readonly owner: string;
  readonly operation: string;
  readonly host: string;
  readonly pid: number;
  readonly since: string;
}

interface BoardDocument extends ReadDocument, LeaseHolder {}

export const rebuildLeaseName = (projection: string): string => `rebuild:${projection}`;
export const defaultLeaseOwner = (): string => `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

/** The lease of a projection is held by someone else; `holder` names them when they announced themselves. */
export class OperationLeaseHeldError extends LeaseHeldError {
  constructor(
    lease: string,
    readonly holder?: LeaseHolder,
  ) {
    super(lease);
    this.message = holder
      ? `${lease} is held by ${holder.operation} ${holder.owner} (pid ${holder.pid} on ${holder.host}, since ${holder.since}); ` +
        `try again when it finishes, or when its lease expires if it died`
      : `${lease} is held by another process; try again when it finishes or its lease expires`;
  }
}

async function boardTarget(store: ProjectionStore): Promise<string> {
  return (await store.registerProjection(OPERATIONS_BOARD, 1)).liveTarget;
}

/** Any record on the board (lease holders, replay progress), keyed by id. */
export async function writeBoard<Doc extends object>(
  store: ProjectionStore,
  id: string,
  doc: Doc | null,
): Promise<void> {
  const target = await boardTarget(store);
  const body = doc && { ...doc, id, tenantId: BOARD_TENANT };
  await store.commitBatch(target, [
    { id, doc: body, position: BOARD_KEY, positionKey: BOARD_KEY, guard: 'not-older' },
  ]);
}

export async function readBoard<Doc>(store: ProjectionStore, id: string): Promise<Doc | undefined> {
  const state = await store.getState(OPERATIONS_BOARD);
  if (!state) return undefined;
  return (await store.loadDocuments<Doc>(state.liveTarget, [id])).get(id)?.doc;
}

export async function leaseHolder(store: ProjectionStore, lease: string): Promise<LeaseHolder | undefined> {
  const doc = await readBoard<BoardDocument>(store, `lease:${lease}`);
  return (
    doc && {
      lease,
      owner: doc.owner,
      operation: doc.operation,
      host: doc.host,
      pid: doc.pid,
      since: doc.since,
    }
  );
}

/** Whether the holder's process still runs; undefined when it runs on another host (cannot tell). */
export const holderAlive = (holder: LeaseHolder): boolean | undefined =>
  holder.host === hostname() ? pidAlive(holder.pid) : undefined;

const pidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Takes `lease` for `owner` or throws OperationLeaseHeldError naming the holder. A holder on this
 * host whose process is gone (kill -9) is taken over at once instead of after its TTL, so a rerun
 * right after a crash resumes instead of being refused for half a minute. The takeover goes
 * through the port: acquiring as the dead owner succeeds (same owner), then it is released.
 */
export async function acquireOperationLease(
  store: ProjectionStore,
  lease: string,
  owner: string,
  ttlMs: number,
  operation: string,
): Promise<void> {
  if (!(await store.acquireLease(lease, owner, ttlMs))) {
    const holder = await leaseHolder(store, lease);
    const dead = holder && holder.owner !== owner && holderAlive(holder) === false;
    if (!dead || !(await store.acquireLease(lease, holder.owner, ttlMs)))
      throw new OperationLeaseHeldError(lease, holder);
    await store.releaseLease(lease, holder.owner);
    if (!(await store.acquireLease(lease, owner, ttlMs)))
      throw new OperationLeaseHeldError(lease, await leaseHolder(store, lease));
  }
  const record: Omit<LeaseHolder, 'lease'> = {
    owner,
    operation,
    host: hostname(),
    pid: process.pid,
    since: new Date().toISOString(),
  };
  await writeBoard(store, `lease:${lease}`, record);
}

/**
 * Keeps a lease alive while an operation runs; `onLost` fires when another owner took it over
 * (we stalled past its expiry), so the operation can stop before it does harm.
 */
export function keepLease(
  store: ProjectionStore,
  lease: string,
  owner: string,
  ttlMs: number,
  onLost: () => void,
): () => Promise<void> {
  const renewal = setInterval(
    () => {
      store.renewLease(lease, owner, ttlMs).then(
        (held) => held || onLost(),
        () => undefined, // a transient failure to renew is retried at the next tick
      );
    },
    Math.max(50, ttlMs / 3),
  );
  renewal.unref();
  return async () => {
    clearInterval(renewal);
    await store.releaseLease(lease, owner).catch(() => undefined);
  };
}
