import { auth, createTask, historyOf, KEYS, startTestApp, type TestApp } from '../support/ledger-test-app';

describe('command routes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  const history = (id: string) => historyOf(t, id);

  it('POST /v1/tasks creates a task: 201, Location, revision 0 and a position', async () => {
    const res = await t
      .http()
      .post('/v1/tasks')
      .set(auth())
      .send({
        title: 'Ship it',
        description: 'd',
        assignee: 'bob',
        priority: 'high',
        dueAt: '2027-01-01T10:00:00Z',
        labels: ['a', 'b'],
      })
      .expect(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      revision: 0,
      position: expect.any(String),
    });
    expect(res.headers.location).toBe(`/v1/tasks/${res.body.id}`);
    const [created] = await history(res.body.id);
    expect(created).toMatchObject({
      revision: 0,
      type: 'TaskCreated',
      actor: 'alice',
      data: {
        title: 'Ship it',
        description: 'd',
        assignee: 'bob',
        priority: 'high',
        dueAt: '2027-01-01T10:00:00.000Z',
        labels: ['a', 'b'],
      },
    });
  });

  it('each command appends its event and returns the new revision', async () => {
    const { id } = await createTask(t);
    const steps: Array<[string, string, object | undefined, string]> = [
      ['patch', '', { title: 'Renamed', labels: ['x'] }, 'TaskDetailsChanged'],
      ['post', '/assign', { assignee: 'carol' }, 'TaskAssigned'],
      ['post', '/unassign', undefined, 'TaskUnassigned'],
      ['post', '/start', undefined, 'TaskStarted'],
      ['post', '/complete', undefined, 'TaskCompleted'],
      ['post', '/reopen', undefined, 'TaskReopened'],
      ['post', '/archive', undefined, 'TaskArchived'],
    ];
    let revision = 0;
    let position = 0n;
    for (const [method, path, body, type] of steps) {
      const call =
        method === 'patch' ? t.http().patch(`/v1/tasks/${id}`) : t.http().post(`/v1/tasks/${id}${path}`);
      const res = await call.set(auth()).send(body).expect(200);
      revision++;
      expect(res.body).toEqual({ id, revision, position: expect.any(String) });
      expect(BigInt(res.body.position)).toBeGreaterThan(position);
      position = BigInt(res.body.position);
      const items = await history(id);
      expect(items[items.length - 1]).toMatchObject({ revision, type });
    }
  });

  it('POST /comments returns 201 with the comment id and appends CommentAdded', async () => {
    const { id } = await createTask(t);
    const res = await t
      .http()
      .post(`/v1/tasks/${id}/comments`)
      .set(auth())
      .send({ body: 'looks good ✅' })
      .expect(201);
    expect(res.body).toEqual({
      id,
      revision: 1,
      position: expect.any(String),
      commentId: expect.any(String),
    });
    expect((await history(id))[1]).toMatchObject({
      type: 'CommentAdded',
      data: { body: 'looks good ✅', commentId: res.body.commentId },
    });
  });

  it('a command that changes nothing appends nothing and returns the current revision', async () => {
    const { id } = await createTask(t, { title: 'x', assignee: 'dave' });
    const before = await history(id);
    const res = await t
      .http()
      .post(`/v1/tasks/${id}/assign`)
      .set(auth())
      .send({ assignee: 'dave' })
      .expect(200);
    expect(res.body.revision).toBe(0);
    await t.http().patch(`/v1/tasks/${id}`).set(auth()).send({ title: 'x' }).expect(200);
    expect(await history(id)).toEqual(before);
  });

  it('PATCH with null clears optional fields', async () => {
    const { id } = await createTask(t, {
      title: 'x',
      description: 'd',
      dueAt: '2027-01-01T00:00:00Z',
      labels: ['l'],
    });
    await t
      .http()
      .patch(`/v1/tasks/${id}`)
      .set(auth())
      .send({ description: null, dueAt: null, labels: null })
      .expect(200);
    const items = await history(id);
    expect(items[1].data).toEqual({ taskId: id, changes: { description: null, dueAt: null, labels: [] } });
  });

  it.each([
    ['start twice', ['/start', '/start']],
    ['reopen a todo task', ['/reopen']],
    ['complete a done task', ['/complete', '/complete']],
    ['anything on an archived task', ['/archive', '/start']],
    ['archive twice', ['/archive', '/archive']],
  ])('breaking a status rule is 422 problem+json: %s', async (_, paths) => {
    const { id } = await createTask(t);
    for (const p of paths.slice(0, -1)) await t.http().post(`/v1/tasks/${id}${p}`).set(auth()).expect(200);
    const res = await t
      .http()
      .post(`/v1/tasks/${id}${paths[paths.length - 1]}`)
      .set(auth())
      .expect(422);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status: 422, type: expect.stringMatching(/rule-violation$/) });
  });

  it('commenting or editing an archived task is refused', async () => {
    const { id } = await createTask(t);
    await t.http().post(`/v1/tasks/${id}/archive`).set(auth()).expect(200);
    await t.http().post(`/v1/tasks/${id}/comments`).set(auth()).send({ body: 'late' }).expect(422);
    await t.http().patch(`/v1/tasks/${id}`).set(auth()).send({ title: 'late' }).expect(422);
  });

  it('unknown or malformed task ids are 404', async () => {
    await t.http().post('/v1/tasks/00000000-0000-4000-8000-000000000000/start').set(auth()).expect(404);
    await t.http().post('/v1/tasks/not-a-uuid/start').set(auth()).expect(404);
    await t.http().get('/v1/tasks/00000000-0000-4000-8000-000000000000/history').set(auth()).expect(404);
  });

  it('correlation ids are echoed and stored in event metadata', async () => {
    const res = await t
      .http()
      .post('/v1/tasks')
      .set(auth())
      .set('X-Correlation-Id', 'corr-123')
      .send({ title: 't' })
      .expect(201);
    expect(res.headers['x-correlation-id']).toBe('corr-123');
    const generated = await t.http().post('/v1/tasks').set(auth()).send({ title: 't' }).expect(201);
    expect(generated.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('another key of the same tenant sees and changes the task; the actor is recorded', async () => {
    const { id } = await createTask(t);
    await t.http().post(`/v1/tasks/${id}/start`).set(auth(KEYS.carol)).expect(200);
    expect((await history(id))[1]).toMatchObject({ type: 'TaskStarted', actor: 'carol' });
  });
});
