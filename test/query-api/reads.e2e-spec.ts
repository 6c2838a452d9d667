import { auth, createTask, KEYS, startTestApp, type TestApp } from '../support/ledger-test-app';

describe('query routes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const read = (path: string, position: string, key: string = KEYS.alice) =>
    t.http().get(path).set(auth(key)).set('X-Min-Position', position);

  it('GET /v1/tasks/:id returns the task with ETag and X-Position; 304 on If-None-Match', async () => {
    const created = await t
      .http()
      .post('/v1/tasks')
      .set(auth())
      .send({
        title: 'Read me',
        assignee: 'carol',
        priority: 'urgent',
        labels: ['x'],
        dueAt: '2027-03-01T09:00:00Z',
      })
      .expect(201);
    const res = await read(`/v1/tasks/${created.body.id}`, created.body.position).expect(200);
    expect(res.body).toEqual({
      id: created.body.id,
      title: 'Read me',
      description: null,
      status: 'todo',
      assignee: 'carol',
      priority: 'urgent',
      dueAt: '2027-03-01T09:00:00.000Z',
      labels: ['x'],
      commentCount: 0,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      revision: 0,
    });
    expect(res.headers.etag).toBe('"0"');
    expect(BigInt(res.headers['x-position'])).toBeGreaterThanOrEqual(BigInt(created.body.position));
    await t.http().get(`/v1/tasks/${created.body.id}`).set(auth()).set('If-None-Match', '"0"').expect(304);
    const started = await t.http().post(`/v1/tasks/${created.body.id}/start`).set(auth()).expect(200);
    const fresh = await read(`/v1/tasks/${created.body.id}`, started.body.position)
      .set('If-None-Match', '"0"')
      .expect(200);
    expect(fresh.body).toMatchObject({ status: 'in_progress', revision: 1 });
    expect(fresh.headers.etag).toBe('"1"');
  });

  it('a write followed by a read with its position sees the write, 100 times in a row', async () => {
    const { id } = await createTask(t);
    for (let i = 0; i < 100; i++) {
      const w = await t
        .http()
        .patch(`/v1/tasks/${id}`)
        .set(auth())
        .send({ title: `title ${i}` })
        .expect(200);
      const r = await read(`/v1/tasks/${id}`, w.body.position).expect(200);
      expect(r.body).toMatchObject({ title: `title ${i}`, revision: w.body.revision });
    }
  });

  it('history and stats read their own read models, also with X-Min-Position', async () => {
    const { id } = await createTask(t, { title: 'h' }, KEYS.bob);
    await t.http().post(`/v1/tasks/${id}/comments`).set(auth(KEYS.bob)).send({ body: 'one' }).expect(201);
    const done = await t.http().post(`/v1/tasks/${id}/complete`).set(auth(KEYS.bob)).expect(200);
    const history = await read(`/v1/tasks/${id}/history`, done.body.position, KEYS.bob).expect(200);
    expect(history.body.items.map((e: { type: string }) => e.type)).toEqual([
      'TaskCreated',
      'CommentAdded',
      'TaskCompleted',
    ]);
    expect(history.body.items[2]).toEqual({
      revision: 2,
      type: 'TaskCompleted',
      data: { taskId: id, previousStatus: 'todo' },
      actor: 'bob',
      occurredAt: expect.any(String),
      position: done.body.position,
    });
    const stats = await read('/v1/stats', done.body.position, KEYS.bob).expect(200);
    expect(stats.body).toEqual({ byStatus: { todo: 0, in_progress: 0, done: 1, archived: 0 }, total: 1 });
    expect(stats.headers['x-position']).toBeDefined();
  });

  it('another tenant sees nothing of it', async () => {
    const created = await createTask(t, { title: 'private' }, KEYS.bob);
    await read(`/v1/tasks/${created.id}`, created.position, KEYS.alice).expect(404);
    await read(`/v1/tasks/${created.id}/history`, created.position, KEYS.alice).expect(404);
  });

  it('X-Min-Position beyond the head waits the bounded time, then 503 + Retry-After', async () => {
    const res = await t.http().get('/v1/stats').set(auth()).set('X-Min-Position', '999999999').expect(503);
    expect(res.headers['retry-after']).toBeDefined();
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  }, 15_000);

  it.each([
    ['limit=0'],
    ['limit=201'],
    ['limit=10000'],
    ['limit=abc'],
    ['sort=title'],
    ['status=open'],
    ['priority=meh'],
    ['cursor=not-a-cursor'],
    ['colour=red'],
  ])('400 problem+json for a bad query: %s', async (qs) => {
    const res = await t.http().get(`/v1/tasks?${qs}`).set(auth()).expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    // Refused before the list is read, and still answered with the position, as every read is.
    expect(res.headers['x-position']).toMatch(/^[0-9]+$/);
  });

  it('400 for a malformed X-Min-Position', async () => {
    await t.http().get('/v1/stats').set(auth()).set('X-Min-Position', 'abc').expect(400);
  });
});
