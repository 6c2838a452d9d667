import { readAndParse, rebuildAll } from './rebuild.jobs';

/**
 * Entry of the process the bench forks for the rebuild (and for its ceiling), so that the peak
 * RSS it reports belongs to the rebuild alone: `node rebuild.child.js <rebuild|ceiling> <dataDir> [projection,...]`.
 */
async function main(): Promise<void> {
  const [job, dataDir, only] = process.argv.slice(2);
  const log = (line: string) => process.send?.({ log: line });
  const result =
    job === 'rebuild'
      ? await rebuildAll(dataDir, log, only ? only.split(',') : undefined)
      : readAndParse(dataDir);
  process.send?.({ result });
}

main().then(
  () => process.disconnect?.(),
  (e: unknown) => {
    process.send?.({ error: (e as Error).stack ?? String(e) });
    process.exitCode = 1;
    process.disconnect?.();
  },
);
