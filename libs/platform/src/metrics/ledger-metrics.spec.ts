import {
  NotFoundError,
  RuleViolation,
  UnavailableError,
  ValidationError,
  WrongExpectedVersion,
} from '../errors';
import { LedgerMetrics } from './ledger-metrics';
import { commandFailureOutcome, storeOutage } from './outcomes';

const value = async (m: LedgerMetrics, name: string, labels: Record<string, string>) => {
  const metric = (await m.registry.getMetricsAsJSON()).find((x) => x.name === name);
  return metric?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
};

describe('LedgerMetrics', () => {
  it('maps every failure to a bounded outcome label, never to its message', () => {
    expect(commandFailureOutcome(new WrongExpectedVersion('task-1', '2', 3n))).toBe('conflict');
    expect(commandFailureOutcome(new UnavailableError('down'))).toBe('unavailable');
    expect(commandFailureOutcome(new ValidationError('bad'))).toBe('invalid');
    expect(commandFailureOutcome(new NotFoundError('gone'))).toBe('not_found');
    expect(commandFailureOutcome(new RuleViolation('no'))).toBe('rejected');
    expect(commandFailureOutcome(new Error('SELECT boom'))).toBe('error');
  });

  it('counts store outages only: a driver cause or SQLITE_BUSY, not a timed-out wait', () => {
    expect(
      storeOutage(new UnavailableError('busy', 1, Object.assign(new Error('x'), { code: 'SQLITE_BUSY' }))),
    ).toBe(true);
    expect(storeOutage(Object.assign(new Error('locked'), { code: 'SQLITE_LOCKED_SHAREDCACHE' }))).toBe(true);
    expect(storeOutage(new UnavailableError('the read model has not reached position 9 yet'))).toBe(false);
    expect(storeOutage(new Error('SQLITE_BUSY in the message only'))).toBe(false);
  });

  it('times appends by outcome and rethrows unchanged', async () => {
    const m = new LedgerMetrics();
    await expect(m.timeAppend(async () => 'ok')).resolves.toBe('ok');
    const conflict = new WrongExpectedVersion('task-1', '0', 1n);
    await expect(m.timeAppend(() => Promise.reject(conflict))).rejects.toBe(conflict);
    await expect(m.timeAppend(() => Promise.reject(new TypeError('bug')))).rejects.toThrow('bug');
    const text = await m.render();
    expect(text).toContain('ledger_event_store_append_duration_seconds_count{outcome="ok"} 1');
    expect(text).toContain('ledger_event_store_append_duration_seconds_count{outcome="conflict"} 1');
    expect(text).toContain('ledger_event_store_append_duration_seconds_count{outcome="error"} 1');
  });

  it('starts alerted counters at 0, counts replays by source, and keeps registries apart', async () => {
    const a = new LedgerMetrics();
    const b = new LedgerMetrics();
    expect(await value(a, 'ledger_store_errors_total', { store: 'read_store', source: 'projector' })).toBe(0);
    a.commandSucceeded('AddComment', 'replayed');
    a.idempotentReplay();
    expect(a.storeError('event_store', 'http', new UnavailableError('x', 1, new Error('ECONNREFUSED')))).toBe(
      true,
    );
    expect(await value(a, 'ledger_idempotent_replays_total', { source: 'stream' })).toBe(1);
    expect(await value(a, 'ledger_idempotent_replays_total', { source: 'record' })).toBe(1);
    expect(await value(a, 'ledger_store_errors_total', { store: 'event_store', source: 'http' })).toBe(1);
    expect(await value(b, 'ledger_store_errors_total', { store: 'event_store', source: 'http' })).toBe(0);
  });

  it('runs scrape hooks before rendering; a failing hook does not fail the scrape', async () => {
    const m = new LedgerMetrics();
    m.onScrape(async () => m.parkedEvents.set({ projection: 'tasks' }, 3));
    m.onScrape(() => Promise.reject(new Error('store down')));
    expect(await m.render()).toContain('ledger_projection_parked_events{projection="tasks"} 3');
  });
});
