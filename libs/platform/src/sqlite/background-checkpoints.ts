import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Database } from 'better-sqlite3';

export interface BackgroundCheckpointOptions {
  /** How often the worker checkpoints (default 100 ms: a few MB of WAL at full write speed). */
  readonly intervalMs?: number;
  /** The better-sqlite3 the worker loads (default: the one this process resolves). */
  readonly driver?: string;
  /** Told once if the worker fails (the connections' own checkpoints then do all the work). */
  readonly onFailure?: (error: Error) => void;
}

/** Stops using the shared worker for this connection (the worker ends with the last one). */
export type ReleaseCheckpoints = () => Promise<void>;

interface FileCheckpointer {
  readonly worker: Worker;
  readonly connections: Set<Database>;
  failed: boolean;
}

// Plain JS, evaluated: runs the same from the TypeScript sources (tests) and from dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (e) {
    if (!/^SQLITE_(BUSY|LOCKED)/.test(String(e && e.code))) throw e;
  }
}, workerData.intervalMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

const checkpointers = new Map<string, FileCheckpointer>();

/**
 * Moves the copying of a WAL database's checkpoints off the event loop: a worker thread, with a
 * connection of its own, runs a PASSIVE checkpoint every `intervalMs` (PASSIVE never waits for
 * readers or writers). A checkpoint run at commit (wal_autocheckpoint) blocks the thread while
 * it copies every page written since the last one into the file; that grew with the files and
 * showed as stalls under sustained load.
 *
 * The connection keeps its own wal_autocheckpoint, on purpose: the WAL starts over only after a
 * checkpoint that leaves no frame behind, which a checkpoint racing with commits rarely does, so
 * without it the WAL would grow for as long as writes keep coming. The worker has copied all but
 * the last few frames by then, so that commit-time checkpoint is short. If the worker fails, the
 * connection's checkpoints simply do all the work again. One worker per file and process.
 * @example const release = checkpointInBackground(db); ... await release(); db.close();
 */
export function checkpointInBackground(
  db: Database,
  options: BackgroundCheckpointOptions = {},
): ReleaseCheckpoints {
  if (db.memory || db.readonly) return async () => undefined;
  const file = resolve(db.name);
  let checkpointer = checkpointers.get(file);
  if (!checkpointer || checkpointer.failed) {
    checkpointer = start(file, options);
    checkpointers.set(file, checkpointer);
  }
  const own = checkpointer;
  own.connections.add(db);
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    own.connections.delete(db);
    if (own.connections.size > 0 || own.failed) return;
    if (checkpointers.get(file) === own) checkpointers.delete(file);
    await stop(own.worker);
  };
}

export interface CheckpointsOnFirstWrite {
  /** Call after each write: the first call starts the file's worker; later ones cost a branch. */
  readonly wrote: () => void;
  readonly release: ReleaseCheckpoints;
}

/**
 * `checkpointInBackground`, started by the connection's first write: a process that only reads
 * the file (the projector reading `events.db`, a CLI status) never runs a worker for it.
 * `enabled: false` makes both functions do nothing.
 */
export function checkpointOnFirstWrite(
  db: Database,
  enabled: boolean,
  options: BackgroundCheckpointOptions = {},
): CheckpointsOnFirstWrite {
  let release: ReleaseCheckpoints | undefined;
  let released = !enabled;
  return {
    wrote: () => {
      if (!released && !release) release = checkpointInBackground(db, options);
    },
    release: async () => {
      released = true;
      await release?.();
    },
  };
}

/** Files that have a checkpoint worker now (for tests and diagnostics). */
export const backgroundCheckpointFiles = (): string[] => [...checkpointers.keys()];

function start(file: string, options: BackgroundCheckpointOptions): FileCheckpointer {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      file,
      driver: options.driver ?? require.resolve('better-sqlite3'),
      intervalMs: options.intervalMs ?? 100,
    },
  });
  // A store someone forgot to close must not keep the process alive.
  worker.unref();
  const checkpointer: FileCheckpointer = { worker, connections: new Set(), failed: false };
  worker.once('error', (error) => {
    checkpointer.failed = true;
    if (checkpointers.get(file) === checkpointer) checkpointers.delete(file);
    (options.onFailure ?? warn)(error);
  });
  return checkpointer;
}

const warn = (error: Error) =>
  process.emitWarning(`SQLite checkpoint worker failed, checkpoints run at commit only: ${error.message}`);

async function stop(worker: Worker): Promise<void> {
  const exited = new Promise<void>((done) => worker.once('exit', () => done()));
  worker.postMessage('stop');
  // A worker stuck in a long checkpoint is terminated rather than waited for (the copy is redone
  // by the next checkpoint, whoever runs it: an interrupted checkpoint loses nothing).
  const timer = setTimeout(() => void worker.terminate(), 5_000);
  await exited;
  clearTimeout(timer);
}
