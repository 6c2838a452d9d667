import type { Command } from 'commander';
import { repairProjection, verifyProjection, type VerifyReport } from '@ledger/projections';
import { writeVerifyTextfile } from '@ledger/platform/metrics/verify-textfile';
import { EXIT } from '../cli-io';
import type { CliContext } from '../cli-context';
import { positiveInt, printJson, withJson, type Act, type JsonOption } from '../command-kit';
import { driftLine } from '../output/drift-lines';
import { formatCount, ProgressReporter } from '../output/progress-reporter';

interface CheckFlags extends JsonOption {
  readonly all?: boolean;
  readonly sample?: number;
  readonly metricsTextfile?: string;
}

type Outcome = VerifyReport | { readonly projection: string; readonly error: string };

const summary = (r: VerifyReport, repair: boolean): string => {
  const found =
    `${formatCount(r.documents)} documents in ${formatCount(r.streams)} streams checked; ` +
    `${r.changed} changed, ${r.missing} missing, ${r.extra} extra`;
  const fixed = repair ? `; ${r.fixed} fixed, ${r.unresolved} unresolved` : '';
  const warn = r.unfoldable
    ? `; ${r.unfoldable} events the fold cannot apply (see \`ledger parked list\`)`
    : '';
  const cut = r.interrupted ? ' (interrupted: partial)' : '';
  return `${r.projection}: ${found}${fixed}${warn}${cut}\n`;
};

async function check(
  ctx: CliContext,
  mode: 'verify' | 'repair',
  name: string | undefined,
  opts: CheckFlags,
): Promise<number> {
  const selected = ctx.select(name, opts.all);
  const outcomes: Outcome[] = [];
  for (const projection of selected) {
    if (ctx.signal.aborted) break;
    const progress = new ProgressReporter(ctx.io, `${mode} ${projection.name}`);
    const common = {
      projection,
      eventStore: ctx.eventStore,
      store: ctx.store,
      signal: ctx.signal,
      ...(opts.sample !== undefined ? { sample: opts.sample } : {}),
      onProgress: (p: { done: number; unit: string; fraction?: number; phase: string }) =>
        progress.update({ done: p.done, unit: p.unit, fraction: p.fraction, phase: p.phase }),
      onDrift: opts.json
        ? undefined
        : (d: Parameters<typeof driftLine>[1], outcome: 'found' | 'fixed' | 'unresolved') => {
            if (mode === 'verify' || outcome !== 'found') {
              ctx.io.out(driftLine(projection.name, d, mode === 'repair' ? `${outcome}: ` : ''));
            }
          },
    };
    try {
      const report = mode === 'verify' ? await verifyProjection(common) : await repairProjection(common);
      progress.stop();
      outcomes.push(report);
      if (!opts.json) ctx.io.out(summary(report, mode === 'repair'));
    } catch (e) {
      progress.stop();
      const error = e instanceof Error ? e.message : String(e);
      outcomes.push({ projection: projection.name, error });
      if (!opts.json) ctx.io.err(`${projection.name}: ${error}\n`);
    }
  }
  const failed = outcomes.some((o) => 'error' in o || !o.ok);
  const interrupted = ctx.signal.aborted;
  if (opts.metricsTextfile) await writeMetrics(opts.metricsTextfile, outcomes);
  if (opts.json) printJson(ctx, { ok: !failed && !interrupted, interrupted, results: outcomes });
  return interrupted ? EXIT.interrupted : failed ? EXIT.failure : EXIT.ok;
}

/**
 * For a scheduled verify: the gauges ops/alerts.yml's drift alert reads, in a file for
 * node_exporter's textfile collector. Runs that failed or were cut short say nothing about drift,
 * so they are left out (the "verify has not run" alert covers a verify that keeps failing).
 */
async function writeMetrics(file: string, outcomes: readonly Outcome[]): Promise<void> {
  const finishedAt = new Date();
  const runs = outcomes
    .filter((o): o is VerifyReport => !('error' in o) && !o.interrupted)
    .map((r) => ({
      projection: r.projection,
      checkedDocuments: r.documents,
      driftedDocuments: r.changed + r.missing + r.extra,
      finishedAt,
    }));
  await writeVerifyTextfile(file, runs);
}

export function registerVerify(projections: Command, act: Act): void {
  withJson(
    projections
      .command('verify')
      .description(
        'recompute documents from their streams and diff them with the read model; exit 1 on drift',
      )
      .argument('[name]', 'projection to verify')
      .option('--all', 'verify every projection')
      .option(
        '--sample <n>',
        'check about n random documents (with their whole streams) instead of all',
        positiveInt('--sample'),
      )
      .option(
        '--metrics-textfile <path>',
        'also write the drift gauges (ledger_verify_*) there, for the node_exporter textfile collector',
      ),
  ).action((name: string | undefined, opts: CheckFlags) => act((ctx) => check(ctx, 'verify', name, opts)));

  withJson(
    projections
      .command('repair')
      .description('rewrite exactly the drifted documents (position-guarded, safe while the projector runs)')
      .argument('[name]', 'projection to repair')
      .option('--all', 'repair every projection'),
  ).action((name: string | undefined, opts: CheckFlags) => act((ctx) => check(ctx, 'repair', name, opts)));
}
