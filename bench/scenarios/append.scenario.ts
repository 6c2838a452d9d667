import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteEventStore, type ExpectedRevision, type NewEvent } from '@ledger/event-store';
import { taskStreamName } from '@ledger/tasks';
import type { ScenarioContext } from '../harness/context';
import type { EmmettSqlite } from '../harness/peers';
import { fmt } from '../harness/report';
import { elapsedMs, prng, round } from '../harness/stats';
import { taskHistory } from '../fixtures/task-histories';

/** The event store's own DDL (libs/event-store sqlite-database.ts, migration 1), copied so "raw" has the same schema. */
const RAW_SCHEMA = `CREATE TABLE IF NOT EXISTS events (
  position INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, stream TEXT NOT NULL,
  revision INTEGER NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, metadata TEXT NOT NULL,
  recorded_at INTEGER NOT NULL, UNIQUE (stream, revision))`;

interface Workload {
  /** One single-event append each, interleaved over the streams the way concurrent writers would. */
  readonly appends: { readonly stream: string; readonly revision: number; readonly event: NewEvent }[];
}

function workload(events: number, streams: number): Workload {
  const random = prng(7);
  const perStream = Math.ceil(events / streams);
  const histories = Array.from({ length: streams }, (_, i) => taskHistory(random, i, perStream, 'default'));
  const appends: Workload['appends'][number][] = [];
  for (let r = 0; r < perStream && appends.length < events; r++) {
    for (const h of histories) {
      if (appends.length >= events) break;
      appends.push({ stream: taskStreamName(h.taskId), revision: r, event: h.events[r] });
    }
  }
  return { appends };
}

interface Run {
  readonly events: number;
  readonly ms: number;
  /** Appends that failed and were retried (Emmett only). */
  readonly failures?: number;
}

type Contender = (file: string, w: Workload, deadline: number) => Promise<Run>;

const port: Contender = async (file, w, deadline) => {
  const store = createSqliteEventStore({ file });
  const started = process.hrtime.bigint();
  let n = 0;
  try {
    for (const a of w.appends) {
      if ((n & 63) === 0 && Date.now() > deadline) break;
      const expected: ExpectedRevision = a.revision === 0 ? 'no_stream' : BigInt(a.revision - 1);
      await store.append(a.stream, [a.event], expected);
      n++;
    }
    return { events: n, ms: elapsedMs(started) };
  } finally {
    await store.close();
  }
};

/** The ceiling: same file settings and schema, one prepared INSERT per IMMEDIATE transaction, no port. */
const raw: Contender = async (file, w, deadline) => {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(RAW_SCHEMA);
  const insert = db.prepare(
    'INSERT INTO events (id, stream, revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const tx = db.transaction((a: Workload['appends'][number]) =>
    insert.run(
      a.event.id,
      a.stream,
      a.revision,
      a.event.type,
      JSON.stringify(a.event.data),
      JSON.stringify(a.event.metadata),
      Date.now(),
    ),
  );
  const started = process.hrtime.bigint();
  let n = 0;
  try {
    for (const a of w.appends) {
      if ((n & 63) === 0 && Date.now() > deadline) break;
      tx.immediate(a);
      n++;
    }
    return { events: n, ms: elapsedMs(started) };
  } finally {
    db.close();
  }
};

/** Emmett's SQLite store with its default settings (it opens a connection per call), no expected version. */
const emmettContender =
  (emmett: EmmettSqlite, limit: number): Contender =>
  async (file, w, deadline) => {
    const store = emmett.getSQLiteEventStore({ fileName: file, schema: { autoMigration: 'CreateOrUpdate' } });
    const started = process.hrtime.bigint();
    let n = 0;
    let failures = 0;
    for (const a of w.appends) {
      if (n >= limit || Date.now() > deadline) break;
      // Its connection-per-call sends `PRAGMA journal_mode = WAL` without awaiting it, and on a busy
      // machine the COMMIT can then fail with "SQLITE_BUSY: ... SQL statements in progress": such an
      // append is retried (the failed one rolled back) and counted, not allowed to end the run.
      for (let attempt = 1; ; attempt++) {
        try {
          await store.appendToStream(a.stream, [
            { type: a.event.type, data: a.event.data, metadata: a.event.metadata },
          ]);
          break;
        } catch (e) {
          failures++;
          if (attempt >= 3) throw e;
        }
      }
      n++;
    }
    return { events: n, ms: elapsedMs(started), failures };
  };

/**
 * Scenario 1. Two rounds of raw -> port -> Emmett, each on fresh files, rates summed over both
 * rounds, so a burst of noise from other processes on this shared machine hits all three alike.
 */
export async function appendScenario(ctx: ScenarioContext): Promise<void> {
  const { events, emmettEvents, streams, maxSeconds } = ctx.sizes.append;
  const w = workload(events, streams);
  const contenders: [string, Contender][] = [
    ['raw', raw],
    ['port', port],
  ];
  if (ctx.emmett && emmettEvents > 0)
    contenders.push(['emmett', emmettContender(ctx.emmett, Math.ceil(emmettEvents / 2))]);
  const totals = new Map<string, Run>();
  for (let round = 0; round < 2; round++) {
    for (const [name, run] of contenders) {
      const half = { appends: w.appends.slice(0, Math.ceil(w.appends.length / 2)) };
      const r = await run(
        join(ctx.workDir, `append-${name}-${round}.db`),
        half,
        Date.now() + (maxSeconds * 1000) / 2,
      );
      const t = totals.get(name) ?? { events: 0, ms: 0, failures: 0 };
      totals.set(name, {
        events: t.events + r.events,
        ms: t.ms + r.ms,
        failures: (t.failures ?? 0) + (r.failures ?? 0),
      });
    }
  }
  const rate = (name: string): number | null => {
    const t = totals.get(name);
    return t && t.events > 0 ? round((t.events / t.ms) * 1000) : null;
  };
  const [rawRate, portRate, emmettRate] = [rate('raw'), rate('port'), rate('emmett')];
  ctx.detail('append', Object.fromEntries(totals));
  ctx.log(`append: raw ${fmt(rawRate)}/s, port ${fmt(portRate)}/s, emmett ${fmt(emmettRate)}/s`);
  ctx.metric({ scenario: 'append', name: 'raw better-sqlite3 (ceiling)', value: rawRate, unit: 'events/s' });
  ctx.metric({
    scenario: 'append',
    name: 'event-store port',
    value: portRate,
    unit: 'events/s',
    beside: rawRate && portRate ? `${fmt((100 * portRate) / rawRate)}% of raw` : undefined,
  });
  ctx.metric({
    scenario: 'append',
    name: 'port / raw',
    value: rawRate && portRate ? round((100 * portRate) / rawRate) : null,
    unit: '%',
    target: { op: '>=', value: 70, text: '>= 70%' },
  });
  if (emmettRate === null) {
    ctx.skip(
      'append',
      ctx.emmett ? 'Emmett: no events in the bounds' : 'Emmett comparison skipped (peer not loaded)',
    );
    return;
  }
  ctx.metric({
    scenario: 'append',
    name: 'Emmett (emmett-sqlite 0.38.5, defaults)',
    value: emmettRate,
    unit: 'events/s',
    beside: totals.get('emmett')?.failures
      ? `${totals.get('emmett')?.failures} appends failed and were retried`
      : undefined,
  });
  ctx.metric({
    scenario: 'append',
    name: 'port / Emmett',
    value: portRate ? round(portRate / emmettRate, 1) : null,
    unit: 'x',
    target: { op: '>=', value: 1, text: 'ahead of Emmett (> 1x)' },
  });
}
