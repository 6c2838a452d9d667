import { skipUnlessEnv } from '@ledger/platform/testing/contract-target';
import { projectionStoreContract } from '@ledger/projections/testing';
import { createMongoProjectionStore } from './mongo-projection-store';
import { freshDatabases } from './mongo-test-databases.fixture';

// Runs only against a real server (MONGO_URL, e.g. mongodb://localhost:27017/?replicaSet=rs0);
// without one every case is registered as skipped, with the reason, never as passed.
const url = process.env.MONGO_URL;
const newDatabase = freshDatabases(url);
// A replica set acknowledging majority writes over a network is slower than Jest's 5 s default allows for.
jest.setTimeout(30_000);

projectionStoreContract({
  name: 'mongo',
  skipReason: skipUnlessEnv('MONGO_URL', 'MongoDB'),
  make: async () => createMongoProjectionStore({ url: url as string, dbName: newDatabase() }),
});
