import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeVerifyTextfile } from './verify-textfile';

describe('verify textfile', () => {
  it('writes the verify gauges per projection for the textfile collector, atomically', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'verify-prom-'));
    try {
      const file = join(dir, 'ledger_verify.prom');
      const finishedAt = new Date('2026-03-01T12:00:00Z');
      await writeVerifyTextfile(file, [
        { projection: 'tasks', checkedDocuments: 120, driftedDocuments: 2, finishedAt },
        { projection: 'stats', checkedDocuments: 3, driftedDocuments: 0, finishedAt },
      ]);
      const text = readFileSync(file, 'utf8');
      expect(text).toContain('# TYPE ledger_verify_drifted_documents gauge');
      expect(text).toContain('ledger_verify_drifted_documents{projection="tasks"} 2');
      expect(text).toContain('ledger_verify_drifted_documents{projection="stats"} 0');
      expect(text).toContain('ledger_verify_checked_documents{projection="tasks"} 120');
      expect(text).toContain(
        `ledger_verify_last_run_timestamp_seconds{projection="stats"} ${finishedAt.getTime() / 1000}`,
      );
      expect(readdirSync(dir)).toEqual(['ledger_verify.prom']); // no temp file left behind
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
