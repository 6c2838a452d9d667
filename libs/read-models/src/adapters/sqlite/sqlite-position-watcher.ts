import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { Position } from '@ledger/event-store';
import type { ReadPositionWaiter, TaskQueries, TaskReadModel } from '../../core/task-queries.port';

export interface SqlitePositionWatcherOptions {
  /** The read-model database file the projector commits to. */
  readonly file: string;
  readonly queries: Pick<TaskQueries, 'position'>;
  /** The event store's `positionKey`: checkpoints are compared by key, as the store does. */
  readonly positionKey: (position: Position) => string;
  /** Safety net for file systems without change notifications; only runs while someone waits. */
  readonly fallbackMs?: number;
}

interface Waiter {
  readonly key: string;
  readonly readModels?: readonly TaskReadModel[];
  readonly done: (reached: boolean) => void;
}

/**
 * `X-Min-Position` for a query API in another process than the projector. Every commit of the
 * projector writes the database's WAL file; a file-system watch on its directory wakes the
 * waiters, which re-read the checkpoints (one indexed query). No timer runs while nobody waits.
 * @example const waiter = createSqlitePositionWatcher({ file, queries, positionKey: events.positionKey })
 */
export function createSqlitePositionWatcher(
  options: SqlitePositionWatcherOptions,
): ReadPositionWaiter & { close(): void } {
  const waiters = new Set<Waiter>();
  const prefix = basename(options.file);
  let watcher: FSWatcher | undefined;
  let fallback: NodeJS.Timeout | undefined;
  let checking = false;
  let again = false;

  const reachedBy = async (w: Waiter): Promise<boolean> => {
    const position = await options.queries.position(w.readModels);
    return position !== undefined && options.positionKey(position) >= w.key;
  };

  // Coalesces bursts of file events into one check at a time.
  const check = async (): Promise<void> => {
    if (checking) return void (again = true);
    checking = true;
    try {
      do {
        again = false;
        for (const w of [...waiters]) if (await reachedBy(w).catch(() => false)) w.done(true);
      } while (again);
    } finally {
      checking = false;
    }
  };

  const arm = (): void => {
    if (watcher || waiters.size === 0) return;
    try {
      watcher = watch(dirname(options.file), (_event, name) => {
        if (!name || String(name).startsWith(prefix)) void check();
      });
      watcher.on('error', () => undefined);
    } catch {
      watcher = undefined; // no notifications here: the fallback timer alone wakes the waiters
    }
    fallback = setInterval(() => void check(), options.fallbackMs ?? 250);
    fallback.unref();
  };

  const disarm = (): void => {
    if (waiters.size > 0) return;
    watcher?.close();
    watcher = undefined;
    clearInterval(fallback);
    fallback = undefined;
  };

  return {
    async waitForPosition(position, timeoutMs, readModels) {
      let resolve!: (reached: boolean) => void;
      const result = new Promise<boolean>((r) => (resolve = r));
      const waiter: Waiter = {
        key: options.positionKey(position),
        readModels,
        done: (reached) => {
          if (!waiters.delete(waiter)) return;
          clearTimeout(timer);
          disarm();
          resolve(reached);
        },
      };
      const timer = setTimeout(() => waiter.done(false), timeoutMs);
      waiters.add(waiter);
      arm();
      // Checked after arming, so a commit between the check and the watch cannot be missed.
      if (await reachedBy(waiter)) waiter.done(true);
      return result;
    },
    close() {
      for (const w of [...waiters]) w.done(false);
      disarm();
    },
  };
}
