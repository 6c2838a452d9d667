import { KEYS, startTestApp, type TestApp } from '../support/ledger-test-app';
import { readModelDrift, verifyAllProjections } from '../hostile/read-model-consistency';
import { runAutocannon } from './autocannon';
import { taskFlow } from './task-flow';

// ~20 s of 50 connections by default; LOAD_SECONDS shortens it for a quick local run.
const SECONDS = Number(process.env.LOAD_SECONDS ?? 20);
const CONNECTIONS = 50;

describe(`load: ${CONNECTIONS} connections for ${SECONDS} s of mixed commands and reads`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      // Per-key limits would turn a load test into a throttling test.
      LEDGER_RATE_LIMIT_PER_MIN: '0',
      // Read-your-writes must hold under load; the default 5 s wait is for interactive clients,
      // and a 2-core machine shared with other test runs can lag longer than that.
      LEDGER_READ_WAIT_MS: '20000',
    });
  });
  afterAll(() => t?.close());

  it(
    'answers every request as intended, with no errors or timeouts',
    async () => {
      // Load generator and server share one process (and this machine's 2 cores): the numbers
      // printed are for spotting regressions by eye, the assertions are about correctness only.
      const { steps, report } = taskFlow([KEYS.alice, KEYS.bob, KEYS.carol]);
      const result = await runAutocannon({
        url: t.url,
        connections: CONNECTIONS,
        duration: SECONDS,
        timeout: 30,
        requests: steps,
      });
      process.stderr.write(
        `load: ${result.requests.total} requests in ${result.duration} s (${Math.round(result.requests.average)}/s), ` +
          `p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms, ` +
          `${report.passes} task lifecycles, statuses ${JSON.stringify(report.byStep)}\n`,
      );
      expect(report.unexpected.slice(0, 20)).toEqual([]);
      expect({ errors: result.errors, timeouts: result.timeouts, resets: result.resets }).toEqual({
        errors: 0,
        timeouts: 0,
        resets: 0,
      });
      // The intended non-2xx are the stale If-Match 409s, one per pass that got that far.
      expect(result.non2xx).toBe(report.byStep['stale-if-match']?.[409] ?? 0);
      // A floor far below what even a busy machine does: it only proves the run did real work.
      expect(report.passes).toBeGreaterThan(10);
    },
    (SECONDS + 60) * 1000,
  );

  it('then the read models equal a fold of the streams, and `projections verify --all` is clean', async () => {
    // The fold is the domain's own (write side), independent of the projections; verify then
    // checks every read model with the projections' folds, document by document.
    expect(await readModelDrift(t, { t1: KEYS.alice, t2: KEYS.bob })).toEqual([]);
    expect(await verifyAllProjections(t)).toEqual([]);
  }, 60_000);
});
