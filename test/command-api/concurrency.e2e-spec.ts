import { auth, createTask, historyOf, startTestApp, type TestApp } from '../support/ledger-test-app';

describe('optimistic concurrency (If-Match)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('the right revision succeeds; a stale one is 409 with the current revision', async () => {
    const { id } = await createTask(t);
    await t
      .http()
      .patch(`/v1/tasks/${id}`)
      .set(auth())
      .set('If-Match', '"0"')
      .send({ title: 'v1' })
      .expect(200);
    const stale = await t
      .http()
      .patch(`/v1/tasks/${id}`)
      .set(auth())
      .set('If-Match', '"0"')
      .send({ title: 'v2' })
      .expect(409);
    expect(stale.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(stale.body).toMatchObject({ status: 409, currentRevision: 1 });
  });

  it('50 concurrent writers on one revision: exactly one succeeds', async () => {
    const { id } = await createTask(t);
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t
          .http()
          .patch(`/v1/tasks/${id}`)
          .set(auth())
          .set('If-Match', '"0"')
          .send({ title: `writer ${i}` }),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    expect(await historyOf(t, id)).toHaveLength(2);
  });

  it('without If-Match, concurrent commands are all applied on fresh state', async () => {
    const { id } = await createTask(t);
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t
          .http()
          .post(`/v1/tasks/${id}/comments`)
          .set(auth())
          .send({ body: `c${i}` }),
      ),
    );
    expect(responses.every((r) => r.status === 201)).toBe(true);
    const items = await historyOf(t, id);
    expect(items).toHaveLength(21);
    expect(items.map((e: { revision: number }) => e.revision)).toEqual(
      Array.from({ length: 21 }, (_, i) => i),
    );
  });
});
