import { Module, type DynamicModule } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@ledger/event-store/core';
import { EventStoreModule } from '@ledger/event-store/event-store.module';
import { eventStoreReadiness } from '@ledger/event-store/event-store.readiness';
import type { ProjectionRunner } from '@ledger/projections';
import { LedgerConfigModule, type LedgerConfig } from '@ledger/platform/config';
import { HealthModule, projectorReadiness } from '@ledger/platform/health';
import { RateLimitModule } from '@ledger/platform/http';
import { MetricsModule } from '@ledger/platform/metrics';
import { TASK_QUERIES, type TaskQueries } from '@ledger/read-models/core';
import { ReadModelsModule } from '@ledger/read-models/read-models.module';
import { readStoreReadiness } from '@ledger/read-models/read-models.readiness';
import { CommandApiModule } from '../../command-api/src/command-api.module';
import { PROJECTION_RUNNER, ProjectorModule } from '../../projector/src/projector.module';
import { QueryApiModule } from '../../query-api/src/query-api.module';

/** `npm start`: commands, reads and the projector in one process on one port. */
@Module({})
export class LedgerApp {
  static forRoot(config: LedgerConfig): DynamicModule {
    return {
      module: LedgerApp,
      imports: [
        LedgerConfigModule.forRoot(config),
        MetricsModule,
        RateLimitModule.forRoot(),
        EventStoreModule,
        ReadModelsModule,
        CommandApiModule,
        ProjectorModule,
        QueryApiModule,
        HealthModule.register({
          inject: [EVENT_STORE, TASK_QUERIES, PROJECTION_RUNNER],
          useFactory: (e: EventStore, q: TaskQueries, r: ProjectionRunner) => [
            eventStoreReadiness(e),
            readStoreReadiness(q),
            projectorReadiness(r),
          ],
        }),
      ],
    };
  }
}
