import { auth, headPosition, startTestApp, type TestApp } from '../support/ledger-test-app';

interface Item {
  id: string;
  status: string;
  assignee: string | null;
  priority: string;
  labels: string[];
  dueAt: string | null;
  createdAt: string;
  updatedAt: string;
}

describe('GET /v1/tasks: filters, sorts, cursors', () => {
  let t: TestApp;
  const ids: string[] = [];
  beforeAll(async () => {
    t = await startTestApp();
    // 60 tasks spread over every filter value, some without a due date.
    for (let i = 0; i < 60; i++) {
      const res = await t
        .http()
        .post('/v1/tasks')
        .set(auth())
        .send({
          title: `task ${i}`,
          assignee: ['ann', 'ben', null][i % 3],
          priority: ['low', 'normal', 'high', 'urgent'][i % 4],
          labels: i % 5 === 0 ? ['ops', 'db'] : i % 2 === 0 ? ['ops'] : [],
          dueAt: i % 6 === 0 ? null : new Date(Date.UTC(2027, 0, 1 + ((i * 7) % 40))).toISOString(),
        })
        .expect(201);
      ids.push(res.body.id);
      if (i % 4 === 1) await t.http().post(`/v1/tasks/${res.body.id}/start`).set(auth()).expect(200);
      if (i % 4 === 2) await t.http().post(`/v1/tasks/${res.body.id}/complete`).set(auth()).expect(200);
      if (i % 8 === 3) await t.http().post(`/v1/tasks/${res.body.id}/archive`).set(auth()).expect(200);
    }
  });
  afterAll(() => t.close());

  async function walk(query: string, limit = 7): Promise<Item[]> {
    const min = await headPosition(t);
    const items: Item[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 100; page++) {
      const qs: string = `${query}${query ? '&' : ''}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const res = await t.http().get(`/v1/tasks?${qs}`).set(auth()).set('X-Min-Position', min).expect(200);
      expect(res.body.items.length).toBeLessThanOrEqual(limit);
      items.push(...res.body.items);
      cursor = res.body.nextCursor;
      if (cursor === null) return items;
    }
    throw new Error('cursor walk did not end');
  }

  const all = () => walk('', 50);
  const byKey = (a: string | null, b: string | null) =>
    a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1;
  const tie = (x: Item, y: Item) => (x.id < y.id ? -1 : 1);

  it.each([
    ['status=in_progress', (i: Item) => i.status === 'in_progress'],
    ['status=archived', (i: Item) => i.status === 'archived'],
    ['assignee=ann', (i: Item) => i.assignee === 'ann'],
    ['priority=urgent', (i: Item) => i.priority === 'urgent'],
    ['label=db', (i: Item) => i.labels.includes('db')],
    ['label=ops&status=todo', (i: Item) => i.labels.includes('ops') && i.status === 'todo'],
  ])('filter %s returns exactly the matching tasks', async (query, match) => {
    const expected = (await all())
      .filter(match)
      .map((i) => i.id)
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    expect((await walk(query)).map((i) => i.id).sort()).toEqual(expected);
  });

  it.each([
    ['createdAt', (x: Item, y: Item) => byKey(x.createdAt, y.createdAt) || tie(x, y)],
    ['-createdAt', (x: Item, y: Item) => byKey(y.createdAt, x.createdAt) || tie(y, x)],
    ['dueAt', (x: Item, y: Item) => byKey(x.dueAt, y.dueAt) || tie(x, y)],
    ['-updatedAt', (x: Item, y: Item) => byKey(y.updatedAt, x.updatedAt) || tie(y, x)],
  ])('sort=%s orders every page, ties broken by id, each task once', async (sort, compare) => {
    const walked = await walk(`sort=${sort}`);
    expect(walked).toHaveLength(60);
    expect(new Set(walked.map((i) => i.id)).size).toBe(60);
    expect(walked.map((i) => i.id)).toEqual([...walked].sort(compare).map((i) => i.id));
  });

  it('the default page is 50 and nextCursor is null at the end', async () => {
    const min = await headPosition(t);
    const first = await t.http().get('/v1/tasks').set(auth()).set('X-Min-Position', min).expect(200);
    expect(first.body.items).toHaveLength(50);
    // The page reports the position it reflects, which is at least the one it waited for.
    expect(BigInt(first.headers['x-position'])).toBeGreaterThanOrEqual(BigInt(min));
    const second = await t
      .http()
      .get(`/v1/tasks?cursor=${encodeURIComponent(first.body.nextCursor)}`)
      .set(auth())
      .expect(200);
    expect(second.body.items).toHaveLength(10);
    expect(second.body.nextCursor).toBeNull();
  });

  it('walking all pages while tasks are being created returns every pre-existing task exactly once', async () => {
    const before = new Set((await all()).map((i) => i.id));
    let stop = false;
    const writer = (async () => {
      for (let i = 0; !stop && i < 200; i++) {
        await t
          .http()
          .post('/v1/tasks')
          .set(auth())
          .send({ title: `concurrent ${i}`, dueAt: '2027-01-05T00:00:00.000Z' });
      }
    })();
    try {
      for (const sort of ['createdAt', '-createdAt', 'dueAt', '-updatedAt']) {
        const seen = (await walk(`sort=${sort}`, 5)).map((i) => i.id);
        expect(new Set(seen).size).toBe(seen.length);
        for (const id of before) expect(seen).toContain(id);
      }
    } finally {
      stop = true;
      await writer;
    }
  }, 60_000);
});
