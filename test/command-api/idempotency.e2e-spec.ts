import { auth, createTask, historyOf, startTestApp, type TestApp } from '../support/ledger-test-app';

describe('Idempotency-Key', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const historyLength = async (id: string) => (await historyOf(t, id)).length;

  it('same key + same body: the original status, headers and body, and no new event', async () => {
    const send = () =>
      t
        .http()
        .post('/v1/tasks')
        .set(auth())
        .set('Idempotency-Key', 'create-1')
        .send({ title: 'once', labels: ['a'] });
    const first = await send().expect(201);
    const again = await send().expect(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.location).toBe(first.headers.location);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await historyLength(first.body.id)).toBe(1);
  });

  it('key order in the body does not matter', async () => {
    const a = await t
      .http()
      .post('/v1/tasks')
      .set(auth())
      .set('Idempotency-Key', 'order')
      .send({ title: 't', priority: 'low' })
      .expect(201);
    const b = await t
      .http()
      .post('/v1/tasks')
      .set(auth())
      .set('Idempotency-Key', 'order')
      .send({ priority: 'low', title: 't' })
      .expect(201);
    expect(b.body).toEqual(a.body);
  });

  it('same key + different body or route: 422', async () => {
    await t
      .http()
      .post('/v1/tasks')
      .set(auth())
      .set('Idempotency-Key', 'reuse')
      .send({ title: 'one' })
      .expect(201);
    const res = await t
      .http()
      .post('/v1/tasks')
      .set(auth())
      .set('Idempotency-Key', 'reuse')
      .send({ title: 'two' })
      .expect(422);
    expect(res.body.type).toMatch(/idempotency-key-reused$/);
    const { id } = await createTask(t);
    await t.http().post(`/v1/tasks/${id}/start`).set(auth()).set('Idempotency-Key', 'reuse').expect(422);
  });

  it('a stored domain error is replayed as it was', async () => {
    const { id } = await createTask(t);
    const first = await t
      .http()
      .post(`/v1/tasks/${id}/reopen`)
      .set(auth())
      .set('Idempotency-Key', 'err')
      .expect(422);
    const again = await t
      .http()
      .post(`/v1/tasks/${id}/reopen`)
      .set(auth())
      .set('Idempotency-Key', 'err')
      .expect(422);
    expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(again.body.type).toBe(first.body.type);
  });

  it('a retried transition replays instead of failing on the new state', async () => {
    const { id } = await createTask(t);
    const first = await t
      .http()
      .post(`/v1/tasks/${id}/start`)
      .set(auth())
      .set('Idempotency-Key', 'start-1')
      .expect(200);
    const again = await t
      .http()
      .post(`/v1/tasks/${id}/start`)
      .set(auth())
      .set('Idempotency-Key', 'start-1')
      .expect(200);
    expect(again.body).toEqual(first.body);
    expect(await historyLength(id)).toBe(2);
  });

  it('200 concurrent retries: one task, one event, 200 identical responses', async () => {
    const responses = await Promise.all(
      Array.from({ length: 200 }, () =>
        t.http().post('/v1/tasks').set(auth()).set('Idempotency-Key', 'storm').send({ title: 'storm' }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(200).fill(201));
    const bodies = new Set(responses.map((r) => JSON.stringify(r.body)));
    expect(bodies.size).toBe(1);
    expect(await historyLength(responses[0].body.id)).toBe(1);
  });

  it('200 concurrent retries of a comment add exactly one comment', async () => {
    const { id } = await createTask(t);
    const responses = await Promise.all(
      Array.from({ length: 200 }, () =>
        t
          .http()
          .post(`/v1/tasks/${id}/comments`)
          .set(auth())
          .set('Idempotency-Key', 'comment-storm')
          .send({ body: 'hi' }),
      ),
    );
    expect(new Set(responses.map((r) => r.status))).toEqual(new Set([201]));
    expect(new Set(responses.map((r) => r.body.commentId)).size).toBe(1);
    expect(await historyLength(id)).toBe(2);
  });
});
