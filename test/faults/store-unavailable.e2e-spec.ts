import { join } from 'node:path';
import Database from 'better-sqlite3';
import { auth, createTask, historyOf, startTestApp, type TestApp } from '../support/ledger-test-app';

describe('event store unavailable (database locked by another writer)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('commands get 503 + Retry-After, nothing is lost, and they work again once the lock is gone', async () => {
    const { id } = await createTask(t);
    const locker = new Database(join(t.dataDir, 'events.db'));
    locker.exec('BEGIN EXCLUSIVE');
    try {
      const res = await t
        .http()
        .post(`/v1/tasks/${id}/start`)
        .set(auth())
        .set('Idempotency-Key', 'during-outage');
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toMatch(/^\d+$/);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.type).toMatch(/unavailable$/);
    } finally {
      locker.exec('ROLLBACK');
      locker.close();
    }
    // The same key is not remembered as failed: the retry runs and succeeds.
    const retry = await t
      .http()
      .post(`/v1/tasks/${id}/start`)
      .set(auth())
      .set('Idempotency-Key', 'during-outage')
      .expect(200);
    expect(retry.body.revision).toBe(1);
    expect((await historyOf(t, id)).map((e) => e.type)).toEqual(['TaskCreated', 'TaskStarted']);
  }, 30_000);
});
