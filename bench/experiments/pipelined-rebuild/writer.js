// Writer thread: owns the SQLite projection store; commits each page as it arrives.
const { parentPort, workerData } = require('node:worker_threads');
const {
  createSqliteProjectionStore,
} = require('../../../dist/libs/read-models/src/adapters/sqlite/index.js');
const store = createSqliteProjectionStore({ file: workerData.file, backgroundCheckpoints: true });
const targets = new Map();
let chain = Promise.resolve();
parentPort.on('message', (m) => {
  chain = chain.then(async () => {
    if (m.kind === 'shadow') {
      await store.registerProjection(m.name, m.version);
      const t = await store.createShadowTarget(m.name, m.version, { deferIndexes: true });
      targets.set(m.name, t.target);
      parentPort.postMessage({ kind: 'shadow', name: m.name, target: t.target });
    } else if (m.kind === 'page') {
      for (const c of m.commits) await store.commitBatch(targets.get(c.name), c.writes, c.checkpoint, []);
      parentPort.postMessage({ kind: 'ack', page: m.page });
    } else if (m.kind === 'finish') {
      const t0 = performance.now();
      for (const [, target] of targets) await store.prepareSwitch(target);
      const idx = performance.now() - t0;
      await store.close();
      parentPort.postMessage({ kind: 'done', indexMs: Math.round(idx) });
    }
  });
});
