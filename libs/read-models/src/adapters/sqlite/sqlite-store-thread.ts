import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { CommitResult, ProjectionStore } from '@ledger/projections/core';
import {
  decodeError,
  encodeWrites,
  REMOTE_METHODS,
  type Call,
  type Reply,
  type StoreThreadData,
} from './sqlite-store-thread-protocol';

export interface ThreadedSqliteProjectionStoreOptions {
  readonly file: string;
  readonly backgroundCheckpoints?: boolean;
}

/**
 * The SQLite projection store on a worker thread of its own: every call is posted to it and
 * answered in order. better-sqlite3 is synchronous, so on the caller's thread a commit stops the
 * fold; here the fold of the next page runs while this one is written, on the second core. For
 * the rebuild (see `rebuildProjections`' `commitsInFlight`), which is CPU-bound on both sides.
 *
 * Calls are ordered (one connection, one call at a time), so a read sent after a commit sees it,
 * and the shadow's in-memory row index (RowIdIndex) lives with the one connection that fills it.
 * A call costs a message each way (~20-50 µs): not for request paths.
 * @example const store = createThreadedSqliteProjectionStore({ file: `${dataDir}/read-models.db` })
 */
export function createThreadedSqliteProjectionStore(
  options: ThreadedSqliteProjectionStoreOptions,
): ProjectionStore {
  const thread = new StoreThread({
    file: options.file,
    backgroundCheckpoints: options.backgroundCheckpoints ?? false,
  });
  const store: Record<string, unknown> = { close: () => thread.close() };
  for (const method of Object.keys(REMOTE_METHODS))
    store[method] = (...args: unknown[]) => thread.call(method as Call['method'], args);
  const commitBatch: ProjectionStore['commitBatch'] = (target, writes, checkpoint, parked) =>
    thread.call('commitBatch', [target, encodeWrites(writes), checkpoint, parked]) as Promise<CommitResult>;
  store.commitBatch = commitBatch;
  // Complete by construction: REMOTE_METHODS is checked against the port's keys.
  return store as unknown as ProjectionStore;
}

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

class StoreThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private ended?: Error;

  constructor(data: StoreThreadData) {
    this.worker = spawnWorker(data);
    this.worker.on('message', (reply: Reply) => this.settle(reply));
    this.worker.on('error', (e) => this.end(e));
    this.worker.on('exit', (code) =>
      this.end(new Error(`the projection store thread exited (code ${code})`)),
    );
    // Idle, it keeps no process alive; a call in flight does.
    this.worker.unref();
  }

  call(method: Call['method'], args: readonly unknown[]): Promise<unknown> {
    if (this.ended) return Promise.reject(this.ended);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      try {
        this.worker.postMessage({ id, method, args } satisfies Call);
      } catch (e) {
        // An argument structured clone cannot copy (a function): this call fails, not the store.
        this.pending.delete(id);
        reject(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      if (this.pending.size === 1) this.worker.ref();
    });
  }

  async close(): Promise<void> {
    if (this.ended) return;
    try {
      await this.call('close', []);
    } finally {
      this.end(new Error('the projection store is closed'));
      await this.worker.terminate();
    }
  }

  private settle(reply: Reply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if ('error' in reply) p.reject(decodeError(reply.error));
    else p.resolve(reply.value);
  }

  private end(error: Error): void {
    this.ended ??= error;
    for (const p of this.pending.values()) p.reject(this.ended);
    this.pending.clear();
    this.worker.unref();
  }
}

/**
 * dist/ runs the compiled worker. From the TypeScript sources (jest, the CLI's run-from-source)
 * the worker compiles its modules on require, as they do.
 */
function spawnWorker(workerData: StoreThreadData): Worker {
  if (!__filename.endsWith('.ts'))
    return new Worker(join(__dirname, 'sqlite-store-thread.worker.js'), { workerData });
  const hook = join(__dirname, '../../../../platform/src/testing/register-ts-source.js');
  const entry = join(__dirname, 'sqlite-store-thread.worker.ts');
  return new Worker(`require(${JSON.stringify(hook)}); require(${JSON.stringify(entry)});`, {
    eval: true,
    workerData,
  });
}
