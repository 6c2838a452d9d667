import { parentPort, workerData } from 'node:worker_threads';
import { createSqliteProjectionStore, type SqliteProjectionStore } from './sqlite-projection-store';
import {
  decodeWrites,
  encodeError,
  isRemoteMethod,
  type Call,
  type EncodedWrites,
  type StoreThreadData,
} from './sqlite-store-thread-protocol';

// The worker side of createThreadedSqliteProjectionStore: owns the connection, runs calls in order.

const port = parentPort!;
const data = workerData as StoreThreadData;
let store: SqliteProjectionStore | undefined;
let openError: unknown;
try {
  store = createSqliteProjectionStore({ file: data.file, backgroundCheckpoints: data.backgroundCheckpoints });
} catch (e) {
  // Answered to every call, so the caller sees why (a top-level throw would only say "exited").
  openError = e;
}

async function run(call: Call): Promise<unknown> {
  if (!store) throw openError;
  if (call.method === 'close') return store.close();
  if (!isRemoteMethod(call.method)) throw new Error(`not a projection store method: ${String(call.method)}`);
  if (call.method === 'commitBatch') {
    const [target, writes, checkpoint, parked] = call.args as Parameters<
      SqliteProjectionStore['commitBatch']
    >;
    return store.commitBatch(target, decodeWrites(writes as unknown as EncodedWrites), checkpoint, parked);
  }
  const method = store[call.method] as (...args: unknown[]) => Promise<unknown>;
  return method.apply(store, [...call.args]);
}

// One call at a time, in arrival order: a read sent after a commit sees it, as on one thread.
let chain = Promise.resolve();
port.on('message', (call: Call) => {
  chain = chain.then(async () => {
    try {
      port.postMessage({ id: call.id, value: await run(call) });
    } catch (e) {
      port.postMessage({ id: call.id, error: encodeError(e) });
    }
  });
});
