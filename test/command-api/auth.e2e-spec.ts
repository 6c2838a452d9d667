import {
  auth,
  createTask,
  headPosition,
  historyOf,
  KEYS,
  startTestApp,
  type TestApp,
} from '../support/ledger-test-app';

describe('auth and tenant isolation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it.each([
    ['no header', {}],
    ['unknown key', { Authorization: 'Bearer nope' }],
    ['wrong scheme', { Authorization: `Basic ${KEYS.alice}` }],
    ['empty bearer', { Authorization: 'Bearer ' }],
    ['dev key when keys are configured', { Authorization: 'Bearer dev' }],
  ])('401 problem+json: %s', async (_, headers) => {
    const res = await t.http().post('/v1/tasks').set(headers).send({ title: 't' }).expect(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    await t.http().get('/v1/tasks/00000000-0000-4000-8000-000000000000/history').set(headers).expect(401);
  });

  it('a task of another tenant is not found, for writes and reads', async () => {
    const { id } = await createTask(t, { title: 'secret' }, KEYS.alice);
    for (const path of ['/start', '/complete', '/archive', '/unassign']) {
      await t.http().post(`/v1/tasks/${id}${path}`).set(auth(KEYS.bob)).expect(404);
    }
    await t.http().patch(`/v1/tasks/${id}`).set(auth(KEYS.bob)).send({ title: 'mine' }).expect(404);
    await t.http().post(`/v1/tasks/${id}/comments`).set(auth(KEYS.bob)).send({ body: 'hi' }).expect(404);
    const head = await headPosition(t);
    await t.http().get(`/v1/tasks/${id}/history`).set(auth(KEYS.bob)).set('X-Min-Position', head).expect(404);
    expect(await historyOf(t, id, KEYS.alice)).toHaveLength(1);
  });

  it('the same Idempotency-Key in two tenants is two different requests', async () => {
    const a = await t
      .http()
      .post('/v1/tasks')
      .set(auth(KEYS.alice))
      .set('Idempotency-Key', 'shared')
      .send({ title: 'a' })
      .expect(201);
    const b = await t
      .http()
      .post('/v1/tasks')
      .set(auth(KEYS.bob))
      .set('Idempotency-Key', 'shared')
      .send({ title: 'b' })
      .expect(201);
    expect(a.body.id).not.toBe(b.body.id);
  });

  it('probes need no key', async () => {
    await t.http().get('/health/live').expect(200);
    await t.http().get('/health/ready').expect(200);
  });
});

describe('dev key', () => {
  it('is active without LEDGER_API_KEYS outside production', async () => {
    const t = await startTestApp({ LEDGER_API_KEYS: '' });
    try {
      await t.http().post('/v1/tasks').set(auth('dev')).send({ title: 't' }).expect(201);
    } finally {
      await t.close();
    }
  });
});
