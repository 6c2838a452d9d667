import { auth, createTask, historyOf, startTestApp, type TestApp } from '../support/ledger-test-app';

const isProblem = (
  res: { headers: Record<string, string>; body: Record<string, unknown> },
  status: number,
) => {
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({
    status,
    type: expect.stringMatching(/^https:\/\/.+\/problems\/[a-z-]+$/),
    title: expect.any(String),
  });
  expect(JSON.stringify(res.body)).not.toMatch(/at .+\.(ts|js):\d+|SQLITE|SELECT|INSERT/);
};

describe('bad input is a 4xx problem+json, never a 500', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('400 lists every invalid field', async () => {
    const res = await t
      .http()
      .post('/v1/tasks')
      .set(auth())
      .send({ title: '', priority: 'asap', dueAt: 'tomorrow', labels: 'x' })
      .expect(400);
    isProblem(res, 400);
    const fields = (res.body.errors as Array<{ field: string }>).map((e) => e.field).sort();
    expect(fields).toEqual(['dueAt', 'labels', 'priority', 'title']);
  });

  it.each([
    ['unknown field', { title: 't', owner: 'x' }],
    ['title too long', { title: 'x'.repeat(201) }],
    ['description too long', { title: 't', description: 'x'.repeat(10_001) }],
    ['21 labels', { title: 't', labels: Array.from({ length: 21 }, (_, i) => `l${i}`) }],
    ['label not a string', { title: 't', labels: [1] }],
    ['title a number', { title: 42 }],
    ['huge number', { title: 't', priority: 1e400 }],
    ['array body', [{ title: 't' }]],
    ['whitespace title', { title: '   ' }],
    ['date without time', { title: 't', dueAt: '2027-01-01' }],
  ])('400 for %s', async (_, body) => {
    const res = await t
      .http()
      .post('/v1/tasks')
      .set(auth())
      .send(body as object)
      .expect(400);
    isProblem(res, 400);
  });

  it('400 for a __proto__ key (sent raw: client libraries drop it)', async () => {
    const res = await t
      .http()
      .post('/v1/tasks')
      .set(auth())
      .set('Content-Type', 'application/json')
      .send('{"title":"t","__proto__":{"admin":true}}')
      .expect(400);
    isProblem(res, 400);
  });

  it('400 for malformed JSON and for an empty JSON body', async () => {
    const bad = await t
      .http()
      .post('/v1/tasks')
      .set(auth())
      .set('Content-Type', 'application/json')
      .send('{"title": ')
      .expect(400);
    isProblem(bad, 400);
    const empty = await t
      .http()
      .post('/v1/tasks')
      .set(auth())
      .set('Content-Type', 'application/json')
      .send('')
      .expect(400);
    isProblem(empty, 400);
  });

  it('413 for a body over the limit', async () => {
    const res = await t
      .http()
      .post('/v1/tasks')
      .set(auth())
      .send({ title: 't', description: 'x'.repeat(200_000) })
      .expect(413);
    isProblem(res, 413);
  });

  it('415 for a body that is not JSON', async () => {
    const res = await t
      .http()
      .post('/v1/tasks')
      .set(auth())
      .set('Content-Type', 'text/plain')
      .send('title=t')
      .expect(415);
    isProblem(res, 415);
    const form = await t.http().post('/v1/tasks').set(auth()).type('form').send({ title: 't' }).expect(415);
    isProblem(form, 415);
  });

  it('unicode is stored as sent', async () => {
    const title = 'Ünïcødé 🚀 — 中文 \u200b';
    const { id } = await createTask(t, { title });
    expect((await historyOf(t, id))[0].data.title).toBe(title);
  });

  it('bodiless commands accept no body and ignore none', async () => {
    const { id } = await createTask(t);
    await t.http().post(`/v1/tasks/${id}/start`).set(auth()).expect(200);
    const withBody = await t
      .http()
      .post(`/v1/tasks/${id}/complete`)
      .set(auth())
      .send({ force: true })
      .expect(200);
    expect(withBody.body.revision).toBe(2);
  });

  it('400 for a malformed If-Match and a malformed Idempotency-Key', async () => {
    const { id } = await createTask(t);
    isProblem(
      await t.http().post(`/v1/tasks/${id}/start`).set(auth()).set('If-Match', 'abc').expect(400),
      400,
    );
    isProblem(
      await t
        .http()
        .post(`/v1/tasks/${id}/start`)
        .set(auth())
        .set('Idempotency-Key', 'x'.repeat(300))
        .expect(400),
      400,
    );
  });

  it('the OpenAPI document is served', async () => {
    const res = await t.http().get('/docs-json').expect(200);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/v1/tasks', '/v1/tasks/{id}/start', '/v1/stats']),
    );
  });

  it('404 problem for unknown routes', async () => {
    isProblem(await t.http().get('/v1/nope').set(auth()).expect(404), 404);
  });

  // What the router cannot decode never reaches a hook; the answers are the ones Express gave.
  it('an undecodable path: 400 where a route parameter sits, else 404', async () => {
    const param = await t.http().get('/v1/tasks/%ZZ').set(auth()).expect(400);
    isProblem(param, 400);
    expect(param.body.detail).toBe("Failed to decode param '%ZZ'");
    expect(param.headers['content-security-policy']).toContain("default-src 'none'");
    isProblem(await t.http().get('/v%ZZ1/tasks').set(auth()).expect(404), 404);
  });

  it('bodies: gzip is read, an unknown Content-Encoding is 415, a bad JSON body on a GET is 400', async () => {
    const { gzipSync } = await import('node:zlib');
    // fetch sends the bytes as they are (supertest would re-encode a Buffer body).
    const zipped = await fetch(`${t.url}/v1/tasks`, {
      method: 'POST',
      headers: { ...auth(), 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
      body: gzipSync('{"title":"zipped"}'),
    });
    expect(zipped.status).toBe(201);
    isProblem(
      await t
        .http()
        .post('/v1/tasks')
        .set(auth())
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'bogus')
        .send('{"title":"x"}')
        .expect(415),
      415,
    );
    isProblem(
      await t
        .http()
        .get('/v1/stats')
        .set(auth())
        .set('Content-Type', 'application/json')
        .send('{bad')
        .expect(400),
      400,
    );
  });
});
