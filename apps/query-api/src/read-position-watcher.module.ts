import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@ledger/event-store/core';
import { LEDGER_CONFIG, type LedgerConfig } from '@ledger/platform/config';
import { createSqlitePositionWatcher } from '@ledger/read-models/adapters/sqlite';
import {
  createPollingPositionWaiter,
  READ_POSITION_WAITER,
  TASK_QUERIES,
  type ReadPositionWaiter,
  type TaskQueries,
} from '@ledger/read-models/core';
import { readModelsFile } from '@ledger/read-models/read-models.module';

/**
 * `X-Min-Position` for a query API running without the projector in its process: it learns of
 * progress from the store (SQLite: the WAL file changing; MongoDB: polling while someone waits).
 */
@Global()
@Module({
  providers: [
    {
      provide: READ_POSITION_WAITER,
      inject: [LEDGER_CONFIG, TASK_QUERIES, EVENT_STORE],
      useFactory: (config: LedgerConfig, queries: TaskQueries, events: EventStore): ReadPositionWaiter => {
        const positionKey = (p: string) => events.positionKey(p);
        return config.mongoUrl
          ? createPollingPositionWaiter(queries, positionKey)
          : createSqlitePositionWatcher({ file: readModelsFile(config), queries, positionKey });
      },
    },
  ],
  exports: [READ_POSITION_WAITER],
})
export class ReadPositionWatcherModule implements OnApplicationShutdown {
  constructor(
    @Inject(READ_POSITION_WAITER) private readonly waiter: ReadPositionWaiter & { close?: () => void },
  ) {}

  onApplicationShutdown(): void {
    this.waiter.close?.();
  }
}
