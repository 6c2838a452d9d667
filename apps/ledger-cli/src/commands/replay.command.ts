import type { Command } from 'commander';
import { isLedgerError } from '@ledger/platform/errors';
import { replayProjection } from '@ledger/projections';
import { EXIT, UsageError } from '../cli-io';
import { printJson, withJson, type Act, type JsonOption } from '../command-kit';
import { driftLine } from '../output/drift-lines';
import { formatCount, ProgressReporter } from '../output/progress-reporter';

interface ReplayFlags extends JsonOption {
  readonly from: string;
}

export function registerReplay(projections: Command, act: Act): void {
  withJson(
    projections
      .command('replay')
      .description('re-fold the events after a position with the current code (idempotent, resumable)')
      .argument('<name>', 'projection to replay')
      .requiredOption(
        '--from <pos>',
        'replay the events after this position (exclusive; "start" = the whole log)',
      ),
  ).action((name: string, opts: ReplayFlags) =>
    act(async (ctx) => {
      const projection = ctx.projection(name);
      const from = opts.from === 'start' ? undefined : opts.from;
      if (from !== undefined) {
        try {
          ctx.eventStore.positionKey(from);
        } catch (e) {
          throw isLedgerError(e) ? new UsageError(`--from: ${e.message}`) : e;
        }
      }
      const progress = new ProgressReporter(ctx.io, `replay ${projection.name}`);
      try {
        const report = await replayProjection({
          projection,
          eventStore: ctx.eventStore,
          store: ctx.store,
          from,
          signal: ctx.signal,
          onProgress: (p) => progress.update({ done: p.done, unit: p.unit, fraction: p.fraction }),
          onDrift: opts.json
            ? undefined
            : (d, outcome) => outcome === 'fixed' && ctx.io.out(driftLine(projection.name, d, 'rewrote: ')),
        });
        progress.stop();
        if (opts.json) printJson(ctx, report);
        else
          ctx.io.out(
            `${projection.name}: ${report.resumed ? 'resumed; ' : ''}${formatCount(report.events)} events after ${from ?? 'the start'} ` +
              `up to ${report.to ?? '(nothing projected yet)'} re-folded; ${report.documentsRewritten} documents rewritten` +
              `${report.unresolved ? `, ${report.unresolved} kept changing (run again)` : ''}` +
              `${report.interrupted ? '; interrupted: run the same command again to resume' : ''}\n`,
          );
        return report.interrupted ? EXIT.interrupted : report.ok ? EXIT.ok : EXIT.failure;
      } finally {
        progress.stop();
      }
    }),
  );
}
