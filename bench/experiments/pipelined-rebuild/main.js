// Pipelined rebuild prototype: read + upcast + fold here, SQLite writes on a worker thread.
const { Worker } = require('node:worker_threads');
const fs = require('fs');
const { createSqliteEventStore } = require('../../../dist/libs/event-store/src/index.js');
const { allProjections } = require('../../../dist/libs/read-models/src/projections/index.js');
const fb = require('../../../dist/libs/projections/src/engine/fold-batch.js');
const { upcast, TASK_STREAM_PREFIX } = require('../../../dist/libs/tasks/src/index.js');
const dir = process.argv[2];
const file = dir + '/read-models.db';
for (const f of ['', '-wal', '-shm']) fs.rmSync(file + f, { force: true });
const INFLIGHT = Number(process.env.INFLIGHT || 4);
(async () => {
  const t0 = performance.now();
  const es = createSqliteEventStore({ file: dir + '/events.db' });
  const w = new Worker(__dirname + '/writer.js', { workerData: { file } });
  const waiters = new Map();
  let acked = 0;
  let ackWait;
  let done;
  w.on('message', (m) => {
    if (m.kind === 'shadow') waiters.get(m.name)(m.target);
    else if (m.kind === 'ack') {
      acked = m.page;
      if (ackWait) {
        const f = ackWait;
        ackWait = undefined;
        f();
      }
    } else if (m.kind === 'done') done(m);
  });
  w.on('error', (e) => {
    console.error(e);
    process.exit(1);
  });
  const runs = [];
  for (const p of allProjections) {
    await new Promise((r) => {
      waiters.set(p.name, r);
      w.postMessage({ kind: 'shadow', name: p.name, version: p.version });
    });
    runs.push({ p, handles: new Set(p.handles), known: new Map() });
  }
  const filter = {
    streamPrefixes: [TASK_STREAM_PREFIX],
    eventTypes: [...new Set(allProjections.flatMap((p) => p.handles))],
  };
  let from;
  let page = 0;
  let events = 0;
  let waitMs = 0;
  for (;;) {
    const recs = await es.readAll({ from, limit: 1000, filter });
    if (!recs.length) break;
    const keys = recs.map((e) => es.positionKey(e.position));
    const ups = recs.map((e) => fb.upcastEvent(e, upcast));
    const last = recs[recs.length - 1];
    const checkpoint = { position: last.position, key: keys[keys.length - 1] };
    const commits = [];
    for (const r of runs) {
      const prepared = [];
      for (let i = 0; i < recs.length; i++)
        if (r.handles.has(recs[i].type)) prepared.push(fb.prepareEvent(recs[i], keys[i], ups[i], r.p));
      const known = r.p.documentPerEvent ? new Map() : r.known;
      const folded = fb.foldBatch(r.p, prepared, known);
      if (!r.p.documentPerEvent)
        for (const wr of folded.writes) {
          if (wr.doc === null) r.known.delete(wr.id);
          else r.known.set(wr.id, wr);
        }
      commits.push({ name: r.p.name, writes: folded.writes, checkpoint });
    }
    page++;
    events += recs.length;
    w.postMessage({ kind: 'page', page, commits });
    const tw = performance.now();
    while (page - acked > INFLIGHT) await new Promise((res) => (ackWait = res));
    waitMs += performance.now() - tw;
    from = last.position;
    if (recs.length < 1000) break;
  }
  const foldMs = performance.now() - t0;
  const result = await new Promise((r) => {
    done = r;
    w.postMessage({ kind: 'finish' });
  });
  await es.close();
  await w.terminate();
  const s = (performance.now() - t0) / 1000;
  console.log(
    JSON.stringify({
      events,
      s: +s.toFixed(2),
      perS: Math.round(events / s),
      foldPassMs: Math.round(foldMs),
      mainWaitMs: Math.round(waitMs),
      indexMs: result.indexMs,
      rssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
})();
