import { join } from 'node:path';
import type { ScenarioContext } from '../harness/context';
import { inParallel, request } from '../harness/http-client';
import { runLoad, type LoadResult } from '../harness/http-load';
import { AUTH, type RunningServer } from '../harness/ledger-server';
import { fmt, type Metric } from '../harness/report';
import { prng, round } from '../harness/stats';
import { CommandMix, createRequest } from './command-mix';
import { readYourWritesProbe } from './read-your-writes.probe';

/**
 * Scenarios 2 and 5 on one real server (its own process, fresh data dir): first the command mix
 * alone, then the same mix again with a read-your-writes probe beside it.
 */
export async function commandsScenario(
  ctx: ScenarioContext,
  run: { commands: boolean; readYourWrites: boolean },
): Promise<void> {
  const server = await ctx.server({ dataDir: join(ctx.workDir, 'commands'), profileDir: ctx.profileDir });
  try {
    const mix = await createPool(ctx, server);
    // Warm-up with the same mix, not recorded: the first commands of each kind run unoptimised.
    await commandLoad(ctx, server, mix, Math.min(2, ctx.sizes.commands.seconds));
    const before = server.memoryMb();
    if (run.commands) {
      const load = await commandLoad(ctx, server, mix, ctx.sizes.commands.seconds);
      report(ctx, 'commands', load, mix);
    }
    if (run.readYourWrites) await readYourWrites(ctx, server, mix);
    // The server's memory after the loads: growth that scales with the commands served is a leak.
    const after = server.memoryMb();
    if (before && after) {
      const commands = Object.values(mix.sent).reduce((a, b) => a + b, 0);
      ctx.detail('server-memory', { before, after, commands });
      ctx.metric({
        scenario: 'commands',
        name: 'server RSS after the loads',
        value: after.rss,
        unit: 'MB',
        beside: `${before.rss} MB before ${fmt(commands)} commands; peak ${after.peak} MB`,
      });
    }
  } finally {
    await server.stop();
  }
}

/** Tasks for the change/assign/start/complete/comment part of the mix to act on. */
async function createPool(ctx: ScenarioContext, server: RunningServer): Promise<CommandMix> {
  const mix = new CommandMix();
  const random = prng(3);
  const started = performance.now();
  const ids = await inParallel(ctx.sizes.commands.poolTasks, 16, async (i) => {
    const c = createRequest(i, random);
    const res = await request<{ id: string }>(server.url, 'POST', c.path, c.body);
    if (res.status !== 201)
      throw new Error(`creating the task pool: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  });
  for (const id of ids) mix.add(id);
  ctx.log(
    `commands: pool of ${ids.length} tasks created in ${fmt((performance.now() - started) / 1000, 1)} s`,
  );
  return mix;
}

function commandLoad(
  ctx: ScenarioContext,
  server: RunningServer,
  mix: CommandMix,
  seconds: number,
): Promise<LoadResult> {
  const { connections, maxRequests } = ctx.sizes.commands;
  return runLoad({
    url: server.url,
    connections,
    seconds,
    maxRequests,
    headers: AUTH,
    serverCpuMs: server.cpuMs,
    next: mix.next,
    onResponse: mix.onResponse,
  });
}

function report(ctx: ScenarioContext, scenario: string, load: LoadResult, mix: CommandMix): void {
  const total = Object.values(mix.sent).reduce((a, b) => a + b, 0);
  const realised = Object.entries(mix.sent)
    .map(([k, v]) => `${k} ${round((100 * v) / Math.max(1, total))}%`)
    .join(', ');
  ctx.detail(scenario, { ...load, sent: { ...mix.sent }, realisedMix: realised, unexpected: mix.unexpected });
  ctx.log(
    `${scenario}: ${fmt(load.perSecond)} commands/s, p50 ${fmt(load.latency.p50, 2)} ms, p99 ${fmt(load.latency.p99, 2)} ms; ${realised}`,
  );
  for (const u of mix.unexpected.slice(0, 3)) ctx.log(`  unexpected ${u.status} on ${u.kind}: ${u.body}`);
  const m = (name: string, value: number | null, unit: string, extra: Partial<Metric> = {}) =>
    ctx.metric({ scenario, name, value, unit, ...extra });
  const c = ctx.sizes.commands.connections;
  m(`commands/s (${c} connections, ${fmt(load.seconds)} s)`, load.perSecond, 'cmd/s', {
    beside: cpuBeside(load, 'cmd'),
    target: { op: '>=', value: 5000, text: '>= 5,000/s' },
  });
  m('latency p50', load.latency.p50, 'ms', { beside: realised });
  m('latency p99', load.latency.p99, 'ms', { target: { op: '<', value: 20, text: '< 20 ms' } });
  m('latency max', load.latency.max, 'ms');
  m('errors (non-2xx + socket)', mix.errors + load.errors, '', { target: { op: '<', value: 1, text: '0' } });
}

async function readYourWrites(ctx: ScenarioContext, server: RunningServer, mix: CommandMix): Promise<void> {
  const { seconds, probes } = ctx.sizes.readYourWrites;
  const probe = readYourWritesProbe(server.url, probes, seconds);
  // Started together; the probe stops by its own bounds, the load by its duration.
  const [load, result] = await Promise.all([commandLoad(ctx, server, mix, seconds), probe]);
  ctx.detail('read-your-writes', {
    probe: result,
    commandLoad: { perSecond: load.perSecond, latency: load.latency },
  });
  ctx.log(
    `read-your-writes: ${result.latency.count} probes, p50 ${fmt(result.latency.p50, 2)} ms, p99 ${fmt(result.latency.p99, 2)} ms ` +
      `under ${fmt(load.perSecond)} commands/s; ${result.failures} failures`,
  );
  const beside = `under ${fmt(load.perSecond)} cmd/s`;
  ctx.metric({
    scenario: 'read-your-writes',
    name: 'write -> visible p50',
    value: result.latency.p50,
    unit: 'ms',
    beside,
  });
  ctx.metric({
    scenario: 'read-your-writes',
    name: 'write -> visible p99',
    value: result.latency.p99,
    unit: 'ms',
    beside: `${result.latency.count} probes`,
    target: { op: '<', value: 50, text: '< 50 ms' },
  });
  ctx.metric({
    scenario: 'read-your-writes',
    name: 'plain read of the same task, no wait, p99',
    value: result.plainRead.p99,
    unit: 'ms',
    beside: `p50 ${fmt(result.plainRead.p50, 2)} ms: one request through the loaded server: a read-your-writes read is this plus its wait`,
  });
  ctx.metric({
    scenario: 'read-your-writes',
    name: 'probe failures (503, stale, error)',
    value: result.failures,
    unit: '',
    target: { op: '<', value: 1, text: '0' },
  });
}

/** "server CPU 1.20 ms/cmd (<= 833/s per core)": the ceiling this CPU cost puts on one core. */
export function cpuBeside(load: LoadResult, what: string): string | undefined {
  const cpu = load.serverCpuMsPerRequest;
  return cpu ? `server CPU ${fmt(cpu, 2)} ms/${what} (<= ${fmt(1000 / cpu)}/s per core)` : undefined;
}
