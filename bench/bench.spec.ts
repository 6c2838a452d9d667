import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SCENARIOS, TINY } from './harness/bench-options';
import { inProcessServer } from './harness/ledger-server';
import { markdownTable, textTable, type BenchReport } from './harness/report';
import { runBench } from './run-bench';

/**
 * Smoke test of the bench harness, not a benchmark: every scenario at tiny sizes, the server built
 * in this process (Jest runs the sources; there may be no dist/), no Emmett (bench/peers is
 * installed by `npm run bench`, not by `npm ci`), cold start timed on a stub server script.
 */
describe('npm run bench (harness smoke test, tiny sizes)', () => {
  let dir: string;
  let report: BenchReport;
  const lines: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bench-spec-'));
    const stub = join(dir, 'stub-server.js');
    writeFileSync(
      stub,
      `require('node:http').createServer((q, s) => s.writeHead(q.url === '/health/ready' ? 200 : 404).end())
        .listen(+process.env.PORT, '127.0.0.1');`,
    );
    report = await runBench({
      mode: 'tiny',
      sizes: TINY,
      server: inProcessServer,
      coldStartEntry: stub,
      isolateRebuild: false,
      peers: false,
      log: (line) => lines.push(line),
    });
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs every scenario to the end', () => {
    expect(report.skipped.filter((s) => s.reason.startsWith('failed'))).toEqual([]);
    const scenarios = new Set(report.metrics.map((m) => m.scenario));
    expect([...scenarios].sort()).toEqual([
      'append',
      'cold start',
      'commands',
      'queries',
      'queries, 2 processes',
      'read-your-writes',
      'rebuild',
    ]);
    expect(SCENARIOS).toHaveLength(6);
  });

  it('sends only valid commands, so no command and no read-your-writes probe fails', () => {
    const errors = report.metrics.filter(
      (m) => m.name.startsWith('errors') || m.name.startsWith('probe failures'),
    );
    expect(errors).toHaveLength(2);
    for (const m of errors) expect(m.value).toBe(0);
    const commands = report.details.commands as { requests: number; sent: Record<string, number> };
    expect(commands.requests).toBeGreaterThan(0);
    expect(commands.sent.create).toBeGreaterThan(0);
  });

  it('rebuilds every projection from the seeded events and measures real rates', () => {
    const rebuild = report.details.rebuild as {
      seed: { events: number };
      rebuilt: { projections: { switched: boolean }[] };
      floor: { rows: number; indexes: number };
      foldFloor: { events: number; writes: number };
    };
    expect(rebuild.seed.events).toBe(TINY.rebuild.tasks * TINY.rebuild.eventsPerTask);
    // The floor copies what the rebuild wrote: a history row per event, a document per task, more.
    expect(rebuild.floor.rows).toBeGreaterThan(rebuild.seed.events + TINY.rebuild.tasks);
    expect(rebuild.floor.indexes).toBeGreaterThan(10);
    // The fold floor folds every event into every projection: a history entry each, and more.
    expect(rebuild.foldFloor.events).toBe(rebuild.seed.events);
    expect(rebuild.foldFloor.writes).toBeGreaterThan(rebuild.seed.events);
    expect(rebuild.rebuilt.projections.map((p) => p.switched)).toEqual([true, true, true]);
    const rates = report.metrics.filter((m) => m.unit === 'events/s' || m.unit === 'req/s');
    expect(rates.length).toBeGreaterThan(5);
    for (const m of rates) expect(m.value).toBeGreaterThan(0);
  });

  it('measures the same query kinds against two processes, every request answered', () => {
    const single = report.metrics.filter((m) => m.scenario === 'queries' && m.unit === 'req/s' && m.target);
    const scaled = report.metrics.filter((m) => m.scenario === 'queries, 2 processes');
    expect(scaled.map((m) => m.name)).toEqual(single.map((m) => m.name));
    const detail = report.details['queries, 2 processes'] as {
      processes: number;
      byQuery: Record<string, { requests: number; failures: number; errors: number }>;
    };
    expect(detail.processes).toBe(2);
    for (const q of Object.values(detail.byQuery)) {
      expect(q.requests).toBeGreaterThan(0);
      expect(q.failures + q.errors).toBe(0);
    }
  });

  it('judges each target and renders the table both ways', () => {
    const judged = report.metrics.filter((m) => m.target);
    expect(judged.length).toBeGreaterThan(5);
    for (const m of judged) expect(typeof m.met).toBe('boolean');
    expect(textTable(report.metrics)).toContain('port / raw');
    expect(markdownTable(report.metrics).split('\n')[1]).toMatch(/^\|(---\|)+$/);
  });
});
