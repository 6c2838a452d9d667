import { readFileSync } from 'node:fs';
import { markdownTable, textTable, type BenchReport } from './harness/report';

/**
 * Prints the table of a stored run, e.g. the README's Performance table:
 * `node dist/bench/results-table.js bench/results/baseline.json --markdown`
 */
function main([file, flag]: string[]): number {
  if (!file) {
    console.error('usage: node dist/bench/results-table.js <results.json> [--markdown]');
    return 2;
  }
  const report = JSON.parse(readFileSync(file, 'utf8')) as BenchReport;
  console.log(flag === '--markdown' ? markdownTable(report.metrics) : textTable(report.metrics));
  for (const s of report.skipped) console.log(`\nskipped ${s.scenario}: ${s.reason}`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
