import { randomBytes } from 'node:crypto';
import { connectMongo } from './mongo-connection';

/**
 * Fresh databases for server-backed specs: one random name per test, all dropped after each
 * test, so cases never see each other's documents and a shared server is left clean.
 * Does nothing when MONGO_URL is unset (the suites are then registered as skipped).
 */
export function freshDatabases(url: string | undefined): () => string {
  const created: string[] = [];
  afterEach(async () => {
    if (!url || created.length === 0) return;
    const { client, close } = connectMongo({ url });
    try {
      for (const name of created.splice(0)) await client.db(name).dropDatabase();
    } finally {
      await close();
    }
  });
  return () => {
    const name = `ledger_test_${randomBytes(6).toString('hex')}`;
    created.push(name);
    return name;
  };
}
