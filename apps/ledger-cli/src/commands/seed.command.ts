import type { Command } from 'commander';
import { seedTasks } from '@ledger/projections';
import { EXIT } from '../cli-io';
import { positiveInt, printJson, withJson, type Act, type JsonOption } from '../command-kit';
import { formatCount, formatDuration, ProgressReporter } from '../output/progress-reporter';

interface SeedFlags extends JsonOption {
  readonly tasks: number;
  readonly eventsPerTask: number;
  readonly tenant: string;
  readonly seed?: string;
}

export function registerSeed(program: Command, act: Act): void {
  withJson(
    program
      .command('seed')
      .description('append realistic random tasks through the real domain; deterministic with --seed')
      .requiredOption('--tasks <n>', 'tasks to create', positiveInt('--tasks'))
      .option(
        '--events-per-task <m>',
        'events per task, its creation included',
        positiveInt('--events-per-task'),
        8,
      )
      .option('--tenant <t>', 'tenant of the tasks', 'default')
      .option('--seed <s>', 'same seed and options, same events (a rerun completes an interrupted seed)'),
  ).action((opts: SeedFlags) =>
    act(async (ctx) => {
      const progress = new ProgressReporter(ctx.io, 'seed');
      const result = await seedTasks({
        eventStore: ctx.eventStore,
        tasks: opts.tasks,
        eventsPerTask: opts.eventsPerTask,
        tenantId: opts.tenant,
        seed: opts.seed,
        signal: ctx.signal,
        onProgress: (p) =>
          progress.update({ done: p.events, unit: 'events', fraction: p.events / p.totalEvents }),
      }).finally(() => progress.stop());
      if (opts.json) printJson(ctx, { ok: !result.interrupted, ...result });
      else
        ctx.io.out(
          `seeded ${formatCount(result.tasks)} tasks, ${formatCount(result.events)} events for tenant ${result.tenantId} ` +
            `in ${formatDuration(result.ms / 1000)} (${formatCount(result.eventsPerSecond)} events/s; seed ${result.seed}` +
            `${result.deduplicated ? `; ${result.deduplicated} appends were already stored` : ''})` +
            `${result.interrupted ? '; interrupted: rerun with the same --seed to complete' : ''}\n`,
        );
      return result.interrupted ? EXIT.interrupted : EXIT.ok;
    }),
  );
}
