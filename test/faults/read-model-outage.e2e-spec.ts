import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parseExposition, sampleValue, type Exposition } from '../observability/exposition';
import { waitFor } from '../support/child-process';
import { auth, createTask, headPosition, startTestApp, type TestApp } from '../support/ledger-test-app';

/**
 * The read-model database cannot take writes (another process holds its write lock past the
 * busy timeout): the projector's commits fail as unavailable and are retried with backoff;
 * commands do not need it; reads still see the last committed read model (WAL readers are not
 * blocked). Nothing is restarted: releasing the lock is all it takes.
 */
describe('read-model database outage while serving', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ LEDGER_RATE_LIMIT_PER_MIN: '0', LEDGER_READ_WAIT_MS: '1000' });
  });
  afterAll(() => t.close());

  const metrics = async () => parseExposition((await t.http().get('/metrics').expect(200)).text);
  const value = (m: Exposition, name: string, labels: Record<string, string>) =>
    sampleValue(m, name, labels) ?? 0;

  it('projector retries with backoff, reads serve the last read model, all catches up once the lock is gone', async () => {
    const { id } = await createTask(t, { title: 'before the outage' });
    const before = await t
      .http()
      .get(`/v1/tasks/${id}`)
      .set(auth())
      .set('X-Min-Position', await headPosition(t))
      .expect(200);

    const locker = new Database(join(t.dataDir, 'read-models.db'));
    locker.exec('BEGIN EXCLUSIVE');
    let head: string;
    try {
      // The event store is fine: commands succeed.
      const started = await t.http().post(`/v1/tasks/${id}/start`).set(auth()).expect(200);
      head = started.body.position;

      // Served promptly: the projector's retries do not hold the process (see ProjectorModule).
      const readStarted = Date.now();
      const stale = await t.http().get(`/v1/tasks/${id}`).set(auth()).expect(200);
      // Generous for a loaded CI box; a 5 s busy wait per retry used to hold a read for 40 s and more.
      expect(Date.now() - readStarted).toBeLessThan(10_000);
      expect(stale.body).toEqual(before.body);
      expect(stale.headers['x-position']).toBe(before.headers['x-position']);
      // Read-your-writes cannot be honoured yet: a bounded wait, then 503 + Retry-After.
      const waited = await t.http().get(`/v1/tasks/${id}`).set(auth()).set('X-Min-Position', head);
      expect(waited.status).toBe(503);
      expect(waited.headers['retry-after']).toMatch(/^[1-9]\d*$/);

      const during = await waitFor(
        'the projector to retry a failed commit',
        async () => {
          const m = await metrics();
          return value(m, 'ledger_projection_retries_total', { projection: 'tasks' }) >= 1 ? m : undefined;
        },
        30_000,
      );
      expect(
        value(during, 'ledger_store_errors_total', { store: 'read_store', source: 'projector' }),
      ).toBeGreaterThanOrEqual(1);
      expect(value(during, 'ledger_projection_lag_events', { projection: 'tasks' })).toBeGreaterThanOrEqual(
        1,
      );
      // Still ready: the read store answers and the projector is running (retrying), not failed.
      await t.http().get('/health/ready').expect(200);
    } finally {
      locker.exec('ROLLBACK');
      locker.close();
    }

    const caughtUp = await waitFor(
      'the read model to catch up',
      async () => {
        const res = await t.http().get(`/v1/tasks/${id}`).set(auth()).set('X-Min-Position', head);
        return res.status === 200 ? res : undefined;
      },
      30_000,
    );
    expect(caughtUp.body.status).toBe('in_progress');
    await createTask(t, { title: 'after the outage' });
    const newHead = await headPosition(t);
    // Each projection left its own backoff when the lock went; stats may still be in its last
    // sleep (longer than this app's 1 s read wait), so retry the read until it has caught up.
    const stats = await waitFor(
      'stats to catch up',
      async () => {
        const res = await t.http().get('/v1/stats').set(auth()).set('X-Min-Position', newHead);
        return res.status === 200 ? res : undefined;
      },
      30_000,
    );
    expect(stats.body.byStatus).toMatchObject({ todo: 1, in_progress: 1 });
    // X-Min-Position on /v1/stats waits for stats only; the other projections may still be one
    // batch behind (and lag is sampled per scrape), so wait for every lag to reach 0.
    const after = await waitFor(
      'every projection to report zero lag',
      async () => {
        const m = await metrics();
        const lags = ['tasks', 'task-history', 'stats'].map((projection) =>
          value(m, 'ledger_projection_lag_events', { projection }),
        );
        return lags.every((l) => l === 0) ? m : undefined;
      },
      15_000,
    );
    for (const projection of ['tasks', 'task-history', 'stats']) {
      expect(value(after, 'ledger_projection_state', { projection, state: 'running' })).toBe(1);
      expect(value(after, 'ledger_projection_lag_events', { projection })).toBe(0);
    }
  }, 90_000);
});
