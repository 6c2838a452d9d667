import { Module, type DynamicModule } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@ledger/event-store/core';
import { EventStoreModule } from '@ledger/event-store/event-store.module';
import { eventStoreReadiness } from '@ledger/event-store/event-store.readiness';
import type { ProjectionRunner } from '@ledger/projections';
import { LedgerConfigModule, type LedgerConfig } from '@ledger/platform/config';
import { HealthModule, projectorReadiness } from '@ledger/platform/health';
import { MetricsModule } from '@ledger/platform/metrics';
import { TASK_QUERIES, type TaskQueries } from '@ledger/read-models/core';
import { ReadModelsModule } from '@ledger/read-models/read-models.module';
import { readStoreReadiness } from '@ledger/read-models/read-models.readiness';
import { PROJECTION_RUNNER, ProjectorModule } from './projector.module';

/** The projector booted alone; it serves only probes (and metrics) over HTTP. */
@Module({})
export class ProjectorApp {
  static forRoot(config: LedgerConfig): DynamicModule {
    return {
      module: ProjectorApp,
      imports: [
        LedgerConfigModule.forRoot(config),
        MetricsModule,
        EventStoreModule,
        ReadModelsModule,
        ProjectorModule,
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
