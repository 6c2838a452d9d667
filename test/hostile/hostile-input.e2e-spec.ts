import type { Agent } from 'node:http';
import fc from 'fast-check';
import { auth, createTask, KEYS, startTestApp, type TestApp } from '../support/ledger-test-app';
import { FOUND_BUGS } from './known-bugs';
import { hostileRequest } from './hostile-requests';
import { describeRequest, keepAliveAgent, send, type RawRequest } from './raw-http';
import { readModelDrift, verifyAllProjections } from './read-model-consistency';
import { contractBreaches } from './response-rules';

// 16 requests in flight per batch, 640 batches: 10,240 generated requests against one server.
const IN_FLIGHT = 16;
const BATCHES = Number(process.env.HOSTILE_BATCHES ?? 640);

describe('hostile input against the real server', () => {
  let t: TestApp;
  let agent: Agent;
  let sent = 0;
  const statuses = new Map<number, number>();

  beforeAll(async () => {
    t = await startTestApp({
      // A far-future X-Min-Position must come back as a 503 quickly, not hold a socket for 5 s.
      LEDGER_READ_WAIT_MS: '50',
      // The throttler would turn most of the run into 429s and hide everything behind it.
      LEDGER_RATE_LIMIT_PER_MIN: '0',
    });
    agent = keepAliveAgent(IN_FLIGHT);
  });
  afterAll(async () => {
    agent?.destroy();
    await t?.close();
  });

  it(`answers ${IN_FLIGHT * BATCHES} generated requests with no 5xx and only problem+json errors`, async () => {
    // Real tasks in both tenants, so that valid routes reach the domain and the stores.
    const taskIds: string[] = [];
    for (let i = 0; i < 12; i++)
      taskIds.push((await createTask(t, { title: `seed ${i}` }, i % 3 === 0 ? KEYS.bob : KEYS.alice)).id);
    const requests = hostileRequest({ taskIds, validKeys: Object.values(KEYS) });

    await fc.assert(
      fc.asyncProperty(fc.array(requests, { minLength: IN_FLIGHT, maxLength: IN_FLIGHT }), async (batch) => {
        const results = await Promise.all(batch.map((req) => exchange(req)));
        const broken = results.filter((r) => r.breaches.length > 0);
        if (broken.length > 0) {
          throw new Error(
            broken
              .map((r) => `${r.breaches.join('; ')}\n  ${describeRequest(r.req)}\n  -> ${r.summary}`)
              .join('\n'),
          );
        }
      }),
      {
        numRuns: BATCHES,
        ...(process.env.HOSTILE_SEED ? { seed: Number(process.env.HOSTILE_SEED) } : {}),
        // A batch holds 16 large requests: the failing ones, described on one line each, say more
        // than fast-check's dump of the whole shrunk batch.
        endOnFailure: true,
        asyncReporter: async (run) => {
          if (run.failed) {
            throw new Error(
              `replay with HOSTILE_SEED=${run.seed}: ${(run.errorInstance as Error | undefined)?.message ?? 'failed'}`,
            );
          }
        },
      },
    );
    expect(sent).toBeGreaterThanOrEqual(10_000);
    // Most requests must get past auth and parsing, or the run tested only the front door.
    const deep = [...statuses]
      .filter(([s]) => s < 300 || s === 404 || s === 409 || s === 422)
      .reduce((n, [, c]) => n + c, 0);
    expect(deep / sent).toBeGreaterThan(0.15);
    process.stderr.write(
      `hostile input: ${sent} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}\n`,
    );
  }, 240_000);

  // Each reproduces a bug this suite found (now fixed); see known-bugs.ts for the cause.
  it.each(FOUND_BUGS.map((b) => [b.id, b] as const))(
    'regression %s: answers its reproduction with a 4xx problem+json',
    async (_, bug) => {
      const res = await send(t.url, agent, bug.reproduction);
      expect({ status: res.status, breaches: contractBreaches(bug.reproduction, res) }).toEqual({
        status: expect.any(Number),
        breaches: [],
      });
    },
  );

  it('is alive after, and still does its job', async () => {
    await t.http().get('/health/live').expect(200);
    const { id } = await createTask(t, { title: 'after the storm' });
    await t.http().post(`/v1/tasks/${id}/start`).set(auth()).expect(200);
  });

  it('read models agree with a fold of the streams, and `projections verify --all` is clean', async () => {
    // The fold is the domain's own (write side), independent of the projections; verify then
    // checks every read model with the projections' folds, document by document.
    expect(await readModelDrift(t, { t1: KEYS.alice, t2: KEYS.bob })).toEqual([]);
    expect(await verifyAllProjections(t)).toEqual([]);
  }, 60_000);

  async function exchange(req: RawRequest) {
    sent++;
    try {
      const res = await send(t.url, agent, req);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const summary = `${res.status} ${String(res.headers['content-type'] ?? '')} ${res.body.subarray(0, 200).toString('utf8')}`;
      return { req, breaches: contractBreaches(req, res), summary };
    } catch (e) {
      return { req, breaches: [`no response: ${(e as Error).message}`], summary: '' };
    }
  }
});
