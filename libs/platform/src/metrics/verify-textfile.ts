import { renameSync, writeFileSync } from 'node:fs';
import { Gauge, Registry } from 'prom-client';

/** What one `ledger projections verify` run found for one projection. */
export interface VerifyRun {
  readonly projection: string;
  readonly checkedDocuments: number;
  readonly driftedDocuments: number;
  readonly finishedAt: Date;
}

export const VERIFY_METRICS = {
  drifted: 'ledger_verify_drifted_documents',
  checked: 'ledger_verify_checked_documents',
  lastRun: 'ledger_verify_last_run_timestamp_seconds',
} as const;

/**
 * The verify gauges in Prometheus text format. Verify runs in the CLI, a short-lived process that
 * Prometheus cannot scrape, so a scheduled run writes them to a file that node_exporter's
 * textfile collector serves (`--collector.textfile.directory`); ops/alerts.yml reads them there.
 */
export async function verifyMetricsText(runs: readonly VerifyRun[]): Promise<string> {
  const registry = new Registry();
  const gauge = (name: string, help: string) =>
    new Gauge({ name, help, labelNames: ['projection'] as const, registers: [registry] });
  const drifted = gauge(
    VERIFY_METRICS.drifted,
    'Read-model documents that differ from a fold of their streams, at the last verify',
  );
  const checked = gauge(
    VERIFY_METRICS.checked,
    'Read-model documents compared with their streams at the last verify',
  );
  const lastRun = gauge(VERIFY_METRICS.lastRun, 'Unix time the last verify of the projection finished');
  for (const run of runs) {
    const labels = { projection: run.projection };
    drifted.set(labels, run.driftedDocuments);
    checked.set(labels, run.checkedDocuments);
    lastRun.set(labels, Math.floor(run.finishedAt.getTime() / 1000));
  }
  return registry.metrics();
}

/** Writes atomically (temp file + rename): the collector never reads half a file. */
export async function writeVerifyTextfile(file: string, runs: readonly VerifyRun[]): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, await verifyMetricsText(runs));
  renameSync(temp, file);
}
