import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectionStoreContract } from '@ledger/projections/testing';
import { createSqliteProjectionStore } from './sqlite-projection-store';

const dir = mkdtempSync(join(tmpdir(), 'ledger-rm-contract-'));
let n = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

projectionStoreContract({
  name: 'sqlite',
  make: async () => createSqliteProjectionStore({ file: join(dir, `rm-${n++}.db`) }),
});
