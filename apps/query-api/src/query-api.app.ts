import { Module, type DynamicModule } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@ledger/event-store/core';
import { EventStoreModule } from '@ledger/event-store/event-store.module';
import { eventStoreReadiness } from '@ledger/event-store/event-store.readiness';
import { LedgerConfigModule, type LedgerConfig } from '@ledger/platform/config';
import { HealthModule } from '@ledger/platform/health';
import { RateLimitModule } from '@ledger/platform/http';
import { MetricsModule } from '@ledger/platform/metrics';
import { TASK_QUERIES, type TaskQueries } from '@ledger/read-models/core';
import { ReadModelsModule } from '@ledger/read-models/read-models.module';
import { readStoreReadiness } from '@ledger/read-models/read-models.readiness';
import { QueryApiModule } from './query-api.module';
import { ReadPositionWatcherModule } from './read-position-watcher.module';

/** The query API booted alone (docker-compose's `query-api` service); the projector runs elsewhere. */
@Module({})
export class QueryApiApp {
  static forRoot(config: LedgerConfig): DynamicModule {
    return {
      module: QueryApiApp,
      imports: [
        LedgerConfigModule.forRoot(config),
        MetricsModule,
        RateLimitModule.forRoot(),
        EventStoreModule,
        ReadModelsModule,
        ReadPositionWatcherModule,
        QueryApiModule,
        HealthModule.register({
          inject: [EVENT_STORE, TASK_QUERIES],
          useFactory: (e: EventStore, q: TaskQueries) => [eventStoreReadiness(e), readStoreReadiness(q)],
        }),
      ],
    };
  }
}
