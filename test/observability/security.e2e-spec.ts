import { join } from 'node:path';
import Database from 'better-sqlite3';
import { auth, createTask, KEYS, startTestApp, type TestApp } from '../support/ledger-test-app';

/** What must never reach a client: stack frames, source paths, SQL or driver names. */
const LEAKS = /\bat .+\(|\.ts:\d+|node_modules|SQLITE|sqlite|no such table|SELECT |INSERT |better-sqlite3/;

describe('security headers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('API responses forbid every active content; /docs allows swagger-ui from our own origin', async () => {
    const api = await t.http().get('/v1/tasks').set(auth()).expect(200);
    expect(api.headers['content-security-policy']).toContain("default-src 'none'");
    expect(api.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(api.headers['x-content-type-options']).toBe('nosniff');
    expect(api.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(api.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(api.headers['referrer-policy']).toBe('no-referrer');
    expect(api.headers['x-powered-by']).toBeUndefined();
    const problem = await t.http().get('/v1/tasks').expect(401);
    expect(problem.headers['content-security-policy']).toContain("default-src 'none'");

    const docs = await t.http().get('/docs').expect(200);
    const csp = String(docs.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("default-src 'none'");
    // The page loads its scripts and styles by relative URLs, i.e. from 'self', which the CSP allows.
    const assets = [
      ...docs.text.matchAll(/<(?:script src|link rel="stylesheet" type="text\/css" href)="([^"]+)"/g),
    ].map((m) => m[1]);
    expect(assets.length).toBeGreaterThanOrEqual(3);
    for (const src of assets) expect(src).toMatch(/^\.\/docs\//);
    for (const src of [...assets, './docs-json']) await t.http().get(src.slice(1)).expect(200);
  });
});

describe('rate limit per API key (LEDGER_RATE_LIMIT_PER_MIN)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ LEDGER_RATE_LIMIT_PER_MIN: '3' });
  });
  afterAll(() => t.close());

  it('counts every /v1 route of one key; past the limit: 429 problem+json with Retry-After; other keys unaffected', async () => {
    await createTask(t);
    const ok = await t.http().get('/v1/tasks').set(auth()).expect(200);
    expect(ok.headers['x-ratelimit-limit']).toBe('3');
    await t.http().get('/v1/stats').set(auth()).expect(200);
    const limited = await t.http().post('/v1/tasks').set(auth()).send({ title: 'one too many' }).expect(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.body).toMatchObject({
      status: 429,
      type: 'https://task-ledger.dev/problems/rate-limited',
    });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);

    // carol shares alice's tenant but is another key (another actor); bob is another tenant.
    await t.http().get('/v1/stats').set(auth(KEYS.carol)).expect(200);
    await t.http().get('/v1/stats').set(auth(KEYS.bob)).expect(200);
    // Probes, scrapes and requests without a valid key are not counted against anyone.
    for (let i = 0; i < 5; i++) {
      await t.http().get('/health/live').expect(200);
      await t.http().get('/v1/stats').set(auth('not-a-key')).expect(401);
    }
    await t.http().get('/metrics').expect(200);
  });

  it('is off with 0: no limit headers at all', async () => {
    const off = await startTestApp({ LEDGER_RATE_LIMIT_PER_MIN: '0' });
    try {
      const res = await off.http().get('/v1/stats').set(auth()).expect(200);
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    } finally {
      await off.close();
    }
  });
});

describe('error responses reveal nothing about the internals', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ LEDGER_RATE_LIMIT_PER_MIN: '0' });
  });
  afterAll(() => t.close());

  it('client errors: no stack, no SQL, whatever was sent', async () => {
    const { id } = await createTask(t);
    const responses = await Promise.all([
      t.http().post('/v1/tasks').set(auth()).set('Content-Type', 'application/json').send('{"title": '),
      t.http().get("/v1/tasks?status=' OR 1=1; DROP TABLE projections;--").set(auth()),
      t.http().get('/v1/tasks?cursor=eyJub3QiOiJhIGN1cnNvciJ9').set(auth()),
      t.http().get('/v1/tasks?limit=1e309&sort=name;DELETE').set(auth()),
      t
        .http()
        .patch(`/v1/tasks/${id}`)
        .set(auth())
        .send({ title: { $gt: '' } }),
      t.http().post(`/v1/tasks/${id}/start`).set(auth()).set('If-Match', "\"1' OR '1'='1\""),
      t.http().get('/v1/tasks').set(auth()).set('X-Min-Position', '1; SELECT * FROM events'),
    ]);
    for (const res of responses) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.text).not.toMatch(LEAKS);
    }
  });

  it('an unexpected failure (a read-model table gone) is a bare 500 problem', async () => {
    const db = new Database(join(t.dataDir, 'read-models.db'));
    db.exec('ALTER TABLE projections RENAME TO projections_hidden');
    try {
      const res = await t.http().get('/v1/tasks').set(auth()).expect(500);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toEqual({
        type: 'https://task-ledger.dev/problems/internal',
        title: 'Internal Server Error',
        status: 500,
        detail: 'an unexpected error occurred',
        instance: '/v1/tasks',
      });
      expect(res.text).not.toMatch(LEAKS);
    } finally {
      db.exec('ALTER TABLE projections_hidden RENAME TO projections');
      db.close();
    }
  });
});
