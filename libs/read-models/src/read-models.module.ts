import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { PROJECTION_STORE, type ProjectionStore } from '@ledger/projections/core';
import { LEDGER_CONFIG, type LedgerConfig } from '@ledger/platform/config';
import { TASK_QUERIES, type TaskQueries } from './core/task-queries.port';
import { createSqliteProjectionStore } from './adapters/sqlite/sqlite-projection-store';
import { createSqliteTaskQueries } from './adapters/sqlite/sqlite-task-queries';
import { createThreadedSqliteProjectionStore } from './adapters/sqlite/sqlite-store-thread';
import type * as Mongo from './adapters/mongo';

// Loaded only when MONGO_URL is set: the embedded default does not pay for the driver.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const mongo = (): typeof Mongo => require('./adapters/mongo');

/** `read-models.db` under the data dir: separate from the events, so a rebuild never locks writes. */
export const readModelsFile = (config: LedgerConfig): string => {
  mkdirSync(config.dataDir, { recursive: true });
  return join(config.dataDir, 'read-models.db');
};

export function createProjectionStore(config: LedgerConfig): ProjectionStore {
  return config.mongoUrl
    ? mongo().createMongoProjectionStore({ url: config.mongoUrl })
    : createSqliteProjectionStore({ file: readModelsFile(config), backgroundCheckpoints: true });
}

/**
 * The embedded SQLite store on a worker thread of its own, for `ledger projections rebuild
 * --store-thread`: a page's commit runs beside the fold of the next (see `commitsInFlight`).
 * Undefined for MongoDB, whose commits are already off this thread.
 */
export function createThreadedProjectionStore(config: LedgerConfig): ProjectionStore | undefined {
  return config.mongoUrl
    ? undefined
    : createThreadedSqliteProjectionStore({ file: readModelsFile(config), backgroundCheckpoints: true });
}

export function createTaskQueries(config: LedgerConfig): TaskQueries {
  return config.mongoUrl
    ? mongo().createMongoTaskQueries({ url: config.mongoUrl })
    : createSqliteTaskQueries({ file: readModelsFile(config) });
}

/** MONGO_URL set -> MongoDB, else the embedded SQLite file. */
@Global()
@Module({
  providers: [
    { provide: PROJECTION_STORE, inject: [LEDGER_CONFIG], useFactory: createProjectionStore },
    { provide: TASK_QUERIES, inject: [LEDGER_CONFIG], useFactory: createTaskQueries },
  ],
  exports: [PROJECTION_STORE, TASK_QUERIES],
})
export class ReadModelsModule implements OnApplicationShutdown {
  constructor(
    @Inject(PROJECTION_STORE) private readonly store: ProjectionStore,
    @Inject(TASK_QUERIES) private readonly queries: TaskQueries,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.queries.close(), this.store.close()]);
  }
}
