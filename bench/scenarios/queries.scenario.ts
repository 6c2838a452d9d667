import type { ScenarioContext } from '../harness/context';
import { ensureReadModels, seededDataset, type Dataset } from '../harness/datasets';
import { request } from '../harness/http-client';
import { runLoad } from '../harness/http-load';
import { AUTH, type RunningServer } from '../harness/ledger-server';
import { fmt } from '../harness/report';
import { pick, prng } from '../harness/stats';
import { cpuBeside } from './commands.scenario';
import { scaledOutQueries } from './queries-scale-out';
import { interleavedRounds, recordedBy, type LoadKind } from './query-rounds';
import { baseDataset } from './rebuild.scenario';

interface QueryKind extends LoadKind {
  /** A reference point measured beside the queries, not a query: no target applies. */
  readonly reference?: boolean;
}

/**
 * Scenario 4, against the query API process alone (apps/query-api, as docker-compose runs it: no
 * projector competing for the CPU), over the base read model and, in the full run, over a second
 * one of `bigTasks` tasks if building it fits in the run's time budget.
 */
export async function queriesScenario(ctx: ScenarioContext): Promise<void> {
  const base = await baseDataset(ctx);
  await queriesOver(ctx, base, 'queries', [], 'queries, 2 processes');
  const { bigTasks } = ctx.sizes.queries;
  if (bigTasks === 0) return;
  const why = await bigSetDoesNotFit(ctx, base, bigTasks);
  if (why) {
    ctx.skip('queries 1M', why);
    ctx.log(`queries 1M skipped: ${why}`);
    return;
  }
  // One event per task (TaskCreated, every field varied): the list reads only the tasks read model,
  // so only that projection is built; every task is 'todo', hence the status=todo filter.
  const big = await seededDataset(ctx, 'ledger-big', bigTasks, 1);
  await queriesOver(ctx, big, `queries ${fmt(bigTasks / 1e6)}M`, ['tasks']);
}

/**
 * Building the big read model costs a seed (one append per task) and a rebuild of the tasks
 * projection. Estimated from rates measured in this run (a probe seed of 2,000 one-event tasks, the
 * base set's tasks rebuild), it is attempted only if the run still ends within its budget.
 */
async function bigSetDoesNotFit(
  ctx: ScenarioContext,
  base: Dataset,
  tasks: number,
): Promise<string | undefined> {
  const tasksRebuild = base.rebuilt?.projections.find((p) => p.name === 'tasks');
  if (!tasksRebuild) return 'no rebuild rate measured on the base set to estimate the cost';
  const foldPerS = base.seed.events / tasksRebuild.seconds;
  const probe = await seededDataset(ctx, 'ledger-probe', 2_000, 1);
  const seedPerS = probe.seed.tasks / probe.seed.seconds;
  const queriesS = 12 * ctx.sizes.queries.secondsPerQuery + 20;
  const estimate = tasks / seedPerS + tasks / foldPerS + queriesS;
  const left = (ctx.deadline - Date.now()) / 1000 - ctx.reserveSeconds;
  return estimate > left
    ? `building and querying a ${fmt(tasks)}-task read model would take ~${fmt(estimate)} s here (seed ${fmt(seedPerS)} ` +
        `one-event tasks/s, tasks fold ${fmt(foldPerS)} events/s, both measured in this run) and ${fmt(Math.max(0, left))} s ` +
        `are left of the run's ${fmt(ctx.sizes.budgetSeconds)} s budget (\`npm run bench -- --only queries --no-budget\` measures it alone)`
    : undefined;
}

async function queriesOver(
  ctx: ScenarioContext,
  dataset: Dataset,
  scenario: string,
  projections: readonly string[] = [],
  /** Then the same kinds against two processes (see scaledOutQueries), as this scenario. */
  scaledOut?: string,
): Promise<void> {
  await ensureReadModels(ctx, dataset, projections);
  const server = await ctx.server({ dataDir: dataset.dataDir, app: 'query-api', profileDir: ctx.profileDir });
  try {
    const kinds = await queryKinds(server, dataset);
    const { connections, rounds, maxRequestsPerQuery } = ctx.sizes.queries;
    const summary: Record<string, unknown> = {};
    const measured = await interleavedRounds(ctx, kinds, (kind, seconds, recording) =>
      runLoad({
        url: server.url,
        connections,
        seconds,
        maxRequests: maxRequestsPerQuery,
        headers: AUTH,
        serverCpuMs: server.cpuMs,
        next: kind.next,
        ...recordedBy(recording),
      }),
    );
    for (const [i, kind] of kinds.entries()) {
      const { load, failures } = measured[i];
      summary[kind.name] = { ...load, failures };
      ctx.log(
        `${scenario} ${kind.name}: ${fmt(load.perSecond)} req/s, p50 ${fmt(load.latency.p50, 2)} ms, p99 ${fmt(load.latency.p99, 2)} ms` +
          (rounds > 1 ? ` (rounds: ${load.rounds.map((x) => fmt(x.perSecond)).join(', ')} req/s)` : ''),
      );
      const errors = failures + load.errors;
      ctx.metric({
        scenario,
        name: `${kind.name}`,
        value: load.perSecond,
        unit: 'req/s',
        beside: [cpuBeside(load, 'req'), errors ? `${errors} errors` : undefined].filter(Boolean).join('; '),
        target: kind.reference ? undefined : { op: '>=', value: 5000, text: '>= 5,000/s' },
      });
      ctx.metric({
        scenario,
        name: `${kind.name} p99`,
        value: load.latency.p99,
        unit: 'ms',
        beside: `p50 ${fmt(load.latency.p50, 2)} ms`,
        target: kind.reference ? undefined : { op: '<', value: 5, text: '< 5 ms' },
      });
    }
    ctx.detail(scenario, {
      rounds,
      tasks: dataset.seed.tasks,
      events: dataset.seed.events,
      seedSeconds: dataset.seed.seconds,
      rebuilt: dataset.rebuilt,
      connections,
      byQuery: summary,
    });
    if (scaledOut)
      await scaledOutQueries(
        ctx,
        dataset,
        server,
        kinds.filter((k) => !k.reference),
        scaledOut,
      );
  } finally {
    await server.stop();
  }
}

/** Get by id, the list with each filter, with each sort, and page 10 of a cursor walk. */
async function queryKinds(server: RunningServer, dataset: Dataset): Promise<QueryKind[]> {
  const random = prng(5);
  const ids = dataset.seed.taskIds;
  const get = (name: string, path: () => string): QueryKind => ({
    name,
    next: () => ({ kind: name, method: 'GET', path: path() }),
  });
  const fixed = (name: string, path: string) => get(name, () => path);
  // The cursor of page 10 (default sort, 50 a page), walked once before the load.
  let cursor: string | null = null;
  for (let page = 1; page < 10; page++) {
    const res: { status: number; body: { nextCursor: string | null } } = await request(
      server.url,
      'GET',
      `/v1/tasks${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    if (res.status !== 200) throw new Error(`cursor walk: page ${page} answered ${res.status}`);
    cursor = res.body.nextCursor;
    if (!cursor) break;
  }
  const kinds: QueryKind[] = [
    // No auth, no database: what the HTTP pipeline (Nest, Fastify, our hooks) costs by itself.
    { ...fixed('GET /health/live (pipeline floor)', '/health/live'), reference: true },
    get('get by id', () => `/v1/tasks/${pick(random, ids)}`),
    fixed('list status=todo', '/v1/tasks?status=todo'),
    fixed('list assignee=alice', '/v1/tasks?assignee=alice'),
    fixed('list label=bug', '/v1/tasks?label=bug'),
    fixed('list priority=urgent', '/v1/tasks?priority=urgent'),
    fixed('list sort=createdAt', '/v1/tasks?sort=createdAt'),
    fixed('list sort=-createdAt', '/v1/tasks?sort=-createdAt'),
    fixed('list sort=dueAt', '/v1/tasks?sort=dueAt'),
    fixed('list sort=-updatedAt', '/v1/tasks?sort=-updatedAt'),
  ];
  if (cursor) kinds.push(fixed('list page 10 (cursor)', `/v1/tasks?cursor=${encodeURIComponent(cursor)}`));
  return kinds;
}
