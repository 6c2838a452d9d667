import type { ScenarioContext } from '../harness/context';
import { ensureReadModels, seededDataset, type Dataset } from '../harness/datasets';
import { request } from '../harness/http-client';
import { runLoad, type LoadRequest } from '../harness/http-load';
import { AUTH, type RunningServer } from '../harness/ledger-server';
import { fmt } from '../harness/report';
import { pick, prng } from '../harness/stats';
import { baseDataset } from './rebuild.scenario';

interface QueryKind {
  readonly name: string;
  next(): LoadRequest;
}

/** Scenario 4 over the base read model, and over a second one of `bigTasks` tasks in the full run. */
export async function queriesScenario(ctx: ScenarioContext): Promise<void> {
  await queriesOver(ctx, await baseDataset(ctx), 'queries');
  const { bigTasks } = ctx.sizes.queries;
  // Two events per task (created, then a comment, start or completion) so every status filter finds some.
  if (bigTasks > 0) await queriesOver(ctx, await seededDataset(ctx, 'ledger-big', bigTasks, 2), 'queries 1M');
}

async function queriesOver(ctx: ScenarioContext, dataset: Dataset, scenario: string): Promise<void> {
  await ensureReadModels(ctx, dataset);
  const server = await ctx.server({ dataDir: dataset.dataDir, profileDir: ctx.profileDir });
  try {
    const kinds = await queryKinds(server, dataset);
    const { connections, secondsPerQuery, maxRequestsPerQuery } = ctx.sizes.queries;
    const summary: Record<string, unknown> = {};
    for (const kind of kinds) {
      let failures = 0;
      const load = await runLoad({
        url: server.url,
        connections,
        seconds: secondsPerQuery,
        maxRequests: maxRequestsPerQuery,
        headers: AUTH,
        next: kind.next,
        onResponse: (_r, status) => void (status === 200 || failures++),
      });
      summary[kind.name] = { ...load, failures };
      ctx.log(
        `${scenario} ${kind.name}: ${fmt(load.perSecond)} req/s, p50 ${fmt(load.latency.p50, 2)} ms, p99 ${fmt(load.latency.p99, 2)} ms`,
      );
      const errors = failures + load.errors;
      ctx.metric({
        scenario,
        name: `${kind.name}`,
        value: load.perSecond,
        unit: 'req/s',
        beside: `p50 ${fmt(load.latency.p50, 2)} ms` + (errors ? `; ${errors} errors` : ''),
        target: { op: '>=', value: 5000, text: '>= 5,000/s' },
      });
      ctx.metric({
        scenario,
        name: `${kind.name} p99`,
        value: load.latency.p99,
        unit: 'ms',
        target: { op: '<', value: 5, text: '< 5 ms' },
      });
    }
    ctx.detail(scenario, {
      tasks: dataset.seed.tasks,
      events: dataset.seed.events,
      connections,
      byQuery: summary,
    });
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
    get('get by id', () => `/v1/tasks/${pick(random, ids)}`),
    fixed('list status=in_progress', '/v1/tasks?status=in_progress'),
    fixed('list assignee=user-7', '/v1/tasks?assignee=user-7'),
    fixed('list label=label-3', '/v1/tasks?label=label-3'),
    fixed('list priority=urgent', '/v1/tasks?priority=urgent'),
    fixed('list sort=createdAt', '/v1/tasks?sort=createdAt'),
    fixed('list sort=-createdAt', '/v1/tasks?sort=-createdAt'),
    fixed('list sort=dueAt', '/v1/tasks?sort=dueAt'),
    fixed('list sort=-updatedAt', '/v1/tasks?sort=-updatedAt'),
  ];
  if (cursor) kinds.push(fixed('list page 10 (cursor)', `/v1/tasks?cursor=${encodeURIComponent(cursor)}`));
  return kinds;
}
