import { Module, type DynamicModule } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@ledger/event-store/core';
import { EventStoreModule } from '@ledger/event-store/event-store.module';
import { eventStoreReadiness } from '@ledger/event-store/event-store.readiness';
import { LedgerConfigModule, type LedgerConfig } from '@ledger/platform/config';
import { HealthModule } from '@ledger/platform/health';
import { RateLimitModule } from '@ledger/platform/http';
import { MetricsModule } from '@ledger/platform/metrics';
import { CommandApiModule } from './command-api.module';

/** The command API booted alone (docker-compose's `command-api` service). */
@Module({})
export class CommandApiApp {
  static forRoot(config: LedgerConfig): DynamicModule {
    return {
      module: CommandApiApp,
      imports: [
        LedgerConfigModule.forRoot(config),
        MetricsModule,
        RateLimitModule.forRoot(),
        EventStoreModule,
        CommandApiModule,
        HealthModule.register({
          inject: [EVENT_STORE],
          useFactory: (s: EventStore) => [eventStoreReadiness(s)],
        }),
      ],
    };
  }
}
