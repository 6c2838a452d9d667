import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  backgroundCheckpointFiles,
  checkpointInBackground,
  checkpointOnFirstWrite,
} from './background-checkpoints';

let dir: string;
const open: Database.Database[] = [];

/** Its own checkpoints far away (100,000 pages): whatever reaches the file, the worker copied. */
function walDatabase(name = 'db.sqlite'): Database.Database {
  const db = new Database(join(dir, name));
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 100000');
  db.exec('CREATE TABLE IF NOT EXISTS t (body TEXT)');
  open.push(db);
  return db;
}

/** ~2,000 pages of rows, which stay in the WAL until a checkpoint copies them into the file. */
const writeRows = (db: Database.Database) =>
  db.transaction(() => {
    const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
    for (let i = 0; i < 2_000; i++) insert.run('x'.repeat(3_000));
  })();

const fileBytes = (db: Database.Database) => statSync(db.name).size;

async function until(condition: () => boolean, ms = 3_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return condition();
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ledger-checkpoints-'));
});
afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('checkpointInBackground', () => {
  it('copies the WAL into the file from a worker, and leaves the connection’s own checkpoints as they were', async () => {
    const db = walDatabase();
    const release = checkpointInBackground(db, { intervalMs: 20 });
    try {
      const before = fileBytes(db);
      writeRows(db);
      expect(await until(() => fileBytes(db) > before + 5_000_000)).toBe(true);
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(100000);
    } finally {
      await release();
    }
  });

  it('without it, the same writes stay in the WAL (what the test above would see if no worker ran)', async () => {
    const db = walDatabase();
    const before = fileBytes(db);
    writeRows(db);
    await new Promise((r) => setTimeout(r, 200));
    expect(fileBytes(db)).toBe(before);
  });

  it('shares one worker per file and stops it with the last connection', async () => {
    const a = walDatabase();
    const b = walDatabase();
    const other = walDatabase('other.sqlite');
    const releases = [a, b, other].map((db) => checkpointInBackground(db, { intervalMs: 20 }));
    expect(backgroundCheckpointFiles().sort()).toEqual([a.name, other.name].sort());
    await releases[0]();
    await releases[0](); // twice is harmless
    expect(backgroundCheckpointFiles()).toContain(a.name);
    await releases[1]();
    await releases[2]();
    expect(backgroundCheckpointFiles()).toEqual([]);
  });

  it('tells of a failed worker, and a later connection gets a new one', async () => {
    const db = walDatabase();
    let failure: Error | undefined;
    const release = checkpointInBackground(db, {
      driver: join(dir, 'no-such-driver.js'),
      onFailure: (e) => (failure = e),
    });
    expect(await until(() => failure !== undefined)).toBe(true);
    expect(failure?.message).toMatch(/Cannot find module/);
    expect(backgroundCheckpointFiles()).toEqual([]);
    const again = checkpointInBackground(walDatabase(), { intervalMs: 20 });
    expect(backgroundCheckpointFiles()).toEqual([db.name]);
    await again();
    await release();
    expect(backgroundCheckpointFiles()).toEqual([]);
  });

  it('leaves in-memory and read-only connections alone', async () => {
    const memory = new Database(':memory:');
    open.push(memory);
    await checkpointInBackground(memory)();
    walDatabase().close();
    const readonly = new Database(join(dir, 'db.sqlite'), { readonly: true });
    open.push(readonly);
    const release = checkpointInBackground(readonly);
    expect(backgroundCheckpointFiles()).toEqual([]);
    await release();
  });
});

describe('checkpointOnFirstWrite', () => {
  it('starts no worker until the first write, one then, and none after its release', async () => {
    const db = walDatabase();
    const checkpoints = checkpointOnFirstWrite(db, true);
    expect(backgroundCheckpointFiles()).toEqual([]);
    writeRows(db);
    checkpoints.wrote();
    checkpoints.wrote();
    expect(backgroundCheckpointFiles()).toEqual([db.name]);
    expect(await until(() => fileBytes(db) > 4_000_000)).toBe(true);
    await checkpoints.release();
    expect(backgroundCheckpointFiles()).toEqual([]);
    checkpoints.wrote();
    expect(backgroundCheckpointFiles()).toEqual([]);
  });

  it('does nothing when disabled', async () => {
    const checkpoints = checkpointOnFirstWrite(walDatabase(), false);
    checkpoints.wrote();
    expect(backgroundCheckpointFiles()).toEqual([]);
    await checkpoints.release();
  });
});
