import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parseExposition, sampleValue } from '../observability/exposition';
import { auth, createTask, headPosition, startTestApp, type TestApp } from '../support/ledger-test-app';

/**
 * The event store cannot take writes while another process holds its write lock (SQLite:
 * `BEGIN EXCLUSIVE`, held past the 5 s busy timeout). In WAL mode readers are never blocked, so
 * this is the embedded store's outage: writes fail, reading the log (the projector) still works.
 * The busy wait is synchronous (better-sqlite3): it stalls the whole process for those 5 s.
 * An EventStoreDB outage fails reads too; the engine's retry of those is covered by
 * projection-worker.spec ("retries a batch through transient store failures").
 */
describe('event store outage while serving', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ LEDGER_RATE_LIMIT_PER_MIN: '0' });
  });
  afterAll(() => t.close());

  const metrics = async () => parseExposition((await t.http().get('/metrics').expect(200)).text);

  it('commands get 503 + Retry-After, reads keep serving the read model, all recovers without a restart', async () => {
    const { id } = await createTask(t, { title: 'before the outage' });
    const before = await t
      .http()
      .get(`/v1/tasks/${id}`)
      .set(auth())
      .set('X-Min-Position', await headPosition(t))
      .expect(200);

    const locker = new Database(join(t.dataDir, 'events.db'));
    locker.exec('BEGIN EXCLUSIVE');
    try {
      // Reads touch only the read model: answered at once, from the last projected state.
      const started = Date.now();
      const read = await t.http().get(`/v1/tasks/${id}`).set(auth()).expect(200);
      const list = await t.http().get('/v1/tasks').set(auth()).expect(200);
      await t.http().get('/v1/stats').set(auth()).expect(200);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(read.body).toEqual(before.body);
      expect(read.headers['x-position']).toBe(before.headers['x-position']);
      expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([id]);
      await t.http().get('/health/ready').expect(200); // reads are served: stay in the pool

      // better-sqlite3 waits out the busy timeout synchronously: one write at a time.
      const write = await t.http().post(`/v1/tasks/${id}/start`).set(auth());
      expect(write.status).toBe(503);
      expect(write.headers['retry-after']).toMatch(/^[1-9]\d*$/);
      expect(write.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(write.body.type).toBe('https://task-ledger.dev/problems/unavailable');
      await t.http().get(`/v1/tasks/${id}`).set(auth()).expect(200);
    } finally {
      locker.exec('ROLLBACK');
      locker.close();
    }

    const during = await metrics();
    expect(sampleValue(during, 'ledger_store_errors_total', { store: 'event_store', source: 'http' })).toBe(
      1,
    );
    expect(sampleValue(during, 'ledger_commands_total', { type: 'StartTask', outcome: 'unavailable' })).toBe(
      1,
    );
    expect(sampleValue(during, 'ledger_projection_state', { projection: 'tasks', state: 'running' })).toBe(1);

    // Lock gone: the same commands succeed and the projector carries them into the read model.
    await t.http().post(`/v1/tasks/${id}/start`).set(auth()).expect(200);
    await createTask(t, { title: 'after the outage' });
    const after = await t
      .http()
      .get(`/v1/tasks/${id}`)
      .set(auth())
      .set('X-Min-Position', await headPosition(t))
      .expect(200);
    expect(after.body.status).toBe('in_progress');
    const stats = await t
      .http()
      .get('/v1/stats')
      .set(auth())
      .set('X-Min-Position', await headPosition(t))
      .expect(200);
    expect(stats.body.total).toBe(2);
    expect(sampleValue(await metrics(), 'ledger_projection_lag_events', { projection: 'tasks' })).toBe(0);
  }, 30_000);
});
