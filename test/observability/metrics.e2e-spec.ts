import { auth, createTask, headPosition, KEYS, startTestApp, type TestApp } from '../support/ledger-test-app';
import { parseExposition, sampleValue } from './exposition';

describe('GET /metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('needs no key, speaks the Prometheus text format and records what the traffic did', async () => {
    const { id } = await createTask(t);
    await t.http().post(`/v1/tasks/${id}/start`).set(auth()).set('If-Match', '"0"').expect(200);
    await t.http().post(`/v1/tasks/${id}/start`).set(auth()).set('If-Match', '"0"').expect(409);
    await t.http().post(`/v1/tasks/${id}/reopen`).set(auth()).expect(422);
    for (let i = 0; i < 2; i++) {
      await t
        .http()
        .post(`/v1/tasks/${id}/comments`)
        .set(auth())
        .set('Idempotency-Key', 'k1')
        .send({ body: 'hi' })
        .expect(201);
    }
    await t
      .http()
      .get(`/v1/tasks/${id}`)
      .set(auth())
      .set('X-Min-Position', await headPosition(t))
      .expect(200);
    await t.http().get('/v1/no-such-route').set(auth()).expect(404);

    const res = await t.http().get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain;.*version=0\.0\.4/);
    const m = parseExposition(res.text);

    const http = (route: string, status: string, method = 'GET') =>
      sampleValue(m, 'ledger_http_request_duration_seconds_count', { method, route, status });
    expect(http('/v1/tasks/:id', '200')).toBe(1);
    expect(http('/v1/tasks/:id/start', '200', 'POST')).toBe(1);
    expect(http('/v1/tasks/:id/start', '409', 'POST')).toBe(1);
    expect(http('unmatched', '404')).toBe(1);

    const commands = (type: string, outcome: string) =>
      sampleValue(m, 'ledger_commands_total', { type, outcome });
    expect(commands('CreateTask', 'appended')).toBe(1);
    expect(commands('StartTask', 'appended')).toBe(1);
    expect(commands('StartTask', 'conflict')).toBe(1);
    expect(commands('ReopenTask', 'rejected')).toBe(1);
    expect(commands('AddComment', 'appended')).toBe(1);
    expect(sampleValue(m, 'ledger_idempotent_replays_total', { source: 'record' })).toBe(1);
    expect(sampleValue(m, 'ledger_event_store_append_duration_seconds_count', { outcome: 'ok' })).toBe(3);

    for (const projection of ['tasks', 'task-history', 'stats']) {
      expect(sampleValue(m, 'ledger_projection_lag_events', { projection })).toBe(0);
      expect(sampleValue(m, 'ledger_projection_lag_seconds', { projection })).toBe(0);
      expect(sampleValue(m, 'ledger_projection_parked_events', { projection })).toBe(0);
      expect(sampleValue(m, 'ledger_projection_rebuild_in_progress', { projection })).toBe(0);
      expect(sampleValue(m, 'ledger_projection_state', { projection, state: 'running' })).toBe(1);
      expect(
        sampleValue(m, 'ledger_projection_batch_duration_seconds_count', { projection }),
      ).toBeGreaterThan(0);
    }
    // tasks handles all three events (created, started, comment added).
    expect(sampleValue(m, 'ledger_projection_events_projected_total', { projection: 'tasks' })).toBe(3);
    for (const check of ['eventStore', 'readStore', 'projector']) {
      expect(sampleValue(m, 'ledger_health_check_up', { check })).toBe(1);
    }
  });

  it('keeps one registry per app instance: a second app in the same process starts from zero', async () => {
    const other = await startTestApp();
    try {
      await createTask(other, { title: 'elsewhere' }, KEYS.bob);
      const mine = parseExposition((await t.http().get('/metrics').expect(200)).text);
      const theirs = parseExposition((await other.http().get('/metrics').expect(200)).text);
      expect(sampleValue(theirs, 'ledger_commands_total', { type: 'CreateTask', outcome: 'appended' })).toBe(
        1,
      );
      expect(sampleValue(mine, 'ledger_commands_total', { type: 'CreateTask', outcome: 'appended' })).toBe(1);
    } finally {
      await other.close();
    }
  });
});
