import type { ScenarioContext } from '../harness/context';
import type { Dataset } from '../harness/datasets';
import { runLoad, type LoadResult } from '../harness/http-load';
import { AUTH, type RunningServer } from '../harness/ledger-server';
import { fmt } from '../harness/report';
import { round } from '../harness/stats';
import { interleavedRounds, recordedBy, type KindLoad, type LoadKind } from './query-rounds';

/**
 * Two runs of the same moment, one per process, as one load: requests summed over the longer of
 * the two durations, CPU per request over both processes, latency the worse of the two (the
 * exact percentiles are merged by the caller's recorder).
 */
export function concurrentLoads(a: LoadResult, b: LoadResult): LoadResult {
  const requests = a.requests + b.requests;
  const seconds = Math.max(a.seconds, b.seconds);
  const cpu =
    a.serverCpuMsPerRequest !== undefined && b.serverCpuMsPerRequest !== undefined && requests > 0
      ? (a.serverCpuMsPerRequest * a.requests + b.serverCpuMsPerRequest * b.requests) / requests
      : undefined;
  const statusCodes: Record<string, number> = { ...a.statusCodes };
  for (const [code, n] of Object.entries(b.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  return {
    requests,
    seconds,
    perSecond: seconds > 0 ? round(requests / seconds) : 0,
    latency: (a.latency.p99 ?? 0) >= (b.latency.p99 ?? 0) ? a.latency : b.latency,
    byKind: {},
    statusCodes,
    errors: a.errors + b.errors,
    non2xx: a.non2xx + b.non2xx,
    ...(cpu === undefined ? {} : { serverCpuMsPerRequest: round(cpu, 3) }),
  };
}

/**
 * The read side scaled out: a second query API process over the same read model beside the
 * first, the same 50 connections split evenly between them (what two replicas behind a load
 * balancer get), each kind in the same interleaved rounds as the single process. On this box the
 * two processes and the load generator share two cores: this measures what one more process
 * buys here, not what two machines would.
 */
export async function scaledOutQueries(
  ctx: ScenarioContext,
  dataset: Dataset,
  first: RunningServer,
  kinds: readonly LoadKind[],
  scenario: string,
): Promise<void> {
  const second = await ctx.server({ dataDir: dataset.dataDir, app: 'query-api' });
  try {
    const servers = [first, second];
    const { connections, rounds, maxRequestsPerQuery } = ctx.sizes.queries;
    const half = Math.max(1, Math.floor(connections / 2));
    const both: KindLoad = (kind, seconds, recording) =>
      Promise.all(
        servers.map((server) =>
          runLoad({
            url: server.url,
            connections: half,
            seconds,
            maxRequests: maxRequestsPerQuery,
            headers: AUTH,
            serverCpuMs: server.cpuMs,
            next: kind.next,
            ...recordedBy(recording),
          }),
        ),
      ).then(([a, b]) => concurrentLoads(a, b));
    const measured = await interleavedRounds(ctx, kinds, both, servers.length);
    const summary: Record<string, unknown> = {};
    for (const [i, kind] of kinds.entries()) {
      const { load, failures } = measured[i];
      summary[kind.name] = { ...load, failures };
      const errors = failures + load.errors;
      const cpu = load.serverCpuMsPerRequest;
      ctx.log(`${scenario} ${kind.name}: ${fmt(load.perSecond)} req/s, p99 ${fmt(load.latency.p99, 2)} ms`);
      ctx.metric({
        scenario,
        name: kind.name,
        value: load.perSecond,
        unit: 'req/s',
        beside: [
          `p50 ${fmt(load.latency.p50, 2)} ms, p99 ${fmt(load.latency.p99, 2)} ms`,
          cpu ? `server CPU ${fmt(cpu, 2)} ms/req in each` : undefined,
          errors ? `${errors} errors` : undefined,
        ]
          .filter(Boolean)
          .join('; '),
        target: { op: '>=', value: 5000, text: '>= 5,000/s' },
      });
    }
    ctx.detail(scenario, { processes: 2, connectionsEach: half, rounds, byQuery: summary });
  } finally {
    await second.stop();
  }
}
