import type { Command } from 'commander';
import { positionFraction, rebuildProjection, type RebuildResult } from '@ledger/projections';
import { EXIT } from '../cli-io';
import { positiveInt, printJson, withJson, type Act, type JsonOption } from '../command-kit';
import { formatCount, formatDuration, ProgressReporter } from '../output/progress-reporter';

interface RebuildFlags extends JsonOption {
  readonly all?: boolean;
  readonly batchSize?: number;
}

type Outcome =
  (RebuildResult & { readonly ms: number }) | { readonly projection: string; readonly error: string };

export function registerRebuild(projections: Command, act: Act): void {
  withJson(
    projections
      .command('rebuild')
      .description(
        'blue/green: fold the whole log into a shadow copy, catch up, switch atomically; resumable',
      )
      .argument('[name]', 'projection to rebuild')
      .option('--all', 'rebuild every projection, one after the other')
      .option('--batch-size <n>', 'events per transaction (default 5000)', positiveInt('--batch-size')),
  ).action((name: string | undefined, opts: RebuildFlags) =>
    act(async (ctx) => {
      const selected = ctx.select(name, opts.all);
      const outcomes: Outcome[] = [];
      for (const projection of selected) {
        if (ctx.signal.aborted) break;
        const started = Date.now();
        const head = await ctx.eventStore.headPosition();
        const progress = new ProgressReporter(ctx.io, `rebuild ${projection.name}`);
        try {
          const result = await rebuildProjection({
            projection,
            eventStore: ctx.eventStore,
            store: ctx.store,
            signal: ctx.signal,
            ...(opts.batchSize ? { batchSize: opts.batchSize } : {}),
            onProgress: (p) =>
              progress.update({
                done: p.applied + p.skipped,
                unit: 'events',
                fraction: positionFraction(p.checkpoint, head),
              }),
          });
          progress.stop();
          outcomes.push({ ...result, ms: Date.now() - started });
          if (!opts.json) {
            const took = formatDuration((Date.now() - started) / 1000);
            ctx.io.out(
              result.switched
                ? `${projection.name}: rebuilt ${result.resumed ? '(resumed) ' : ''}into ${result.target} and switched live; ` +
                    `${formatCount(result.applied)} events applied, ${result.parked} parked, in ${took}\n`
                : `${projection.name}: interrupted; the shadow ${result.target} keeps its progress: run the rebuild again to resume\n`,
            );
          }
        } catch (e) {
          progress.stop();
          const error = e instanceof Error ? e.message : String(e);
          outcomes.push({ projection: projection.name, error });
          if (!opts.json) ctx.io.err(`${projection.name}: ${error}\n`);
        }
      }
      const failed = outcomes.some((o) => 'error' in o);
      const interrupted = ctx.signal.aborted;
      if (opts.json) printJson(ctx, { ok: !failed && !interrupted, interrupted, results: outcomes });
      return failed ? EXIT.failure : interrupted ? EXIT.interrupted : EXIT.ok;
    }),
  );
}
