import { foldFloor } from './rebuild-fold-floor';
import { writeFloor } from './rebuild-write-floor';
import { readAndParse, rebuildAll } from './rebuild.jobs';

export type RebuildJob = 'rebuild' | 'rebuild-store-thread' | 'ceiling' | 'fold-floor' | 'write-floor';

export async function runRebuildJob(
  job: RebuildJob,
  dataDir: string,
  log: (line: string) => void,
  only: readonly string[] = [],
) {
  if (job === 'rebuild') return rebuildAll(dataDir, log, only);
  if (job === 'rebuild-store-thread') return rebuildAll(dataDir, log, only, true);
  if (job === 'ceiling') return readAndParse(dataDir);
  if (job === 'fold-floor') return foldFloor(dataDir);
  return writeFloor(dataDir);
}

/**
 * Entry of the process the bench forks for the rebuild (and for its ceiling and floors), so that
 * the peak RSS it reports belongs to the rebuild alone:
 * `node rebuild.child.js <rebuild|rebuild-store-thread|ceiling|fold-floor|write-floor> <dataDir> [projection,...]`.
 */
async function main(): Promise<void> {
  const [job, dataDir, only] = process.argv.slice(2);
  const log = (line: string) => process.send?.({ log: line });
  const result = await runRebuildJob(job as RebuildJob, dataDir, log, only ? only.split(',') : []);
  process.send?.({ result });
}

if (require.main === module) {
  main().then(
    () => process.disconnect?.(),
    (e: unknown) => {
      process.send?.({ error: (e as Error).stack ?? String(e) });
      process.exitCode = 1;
      process.disconnect?.();
    },
  );
}
