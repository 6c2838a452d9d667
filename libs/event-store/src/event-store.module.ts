import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { LEDGER_CONFIG, type LedgerConfig } from '@ledger/platform/config';
import { EVENT_STORE, IDEMPOTENCY_STORE, type EventStore, type IdempotencyStore } from './core';
import { createSqliteEventStore } from './adapters/sqlite/sqlite-event-store';
import { createSqliteIdempotencyStore } from './adapters/sqlite/sqlite-idempotency-store';
import type * as EventStoreDb from './adapters/eventstoredb';

// Loaded only when configured: the gRPC client costs start-up time the embedded default doesn't need.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const eventStoreDb = (): typeof EventStoreDb => require('./adapters/eventstoredb');

/** `events.db` under the data dir holds the events and the idempotency keys that protect them. */
export const eventsFile = (config: LedgerConfig): string => {
  mkdirSync(config.dataDir, { recursive: true });
  return join(config.dataDir, 'events.db');
};

/**
 * better-sqlite3 waits for a lock synchronously, freezing the whole process: a server waits at
 * most this long before answering 503, while batch jobs (the CLI) keep the driver's 5 s default.
 */
export const SERVER_BUSY_TIMEOUT_MS = 1000;

export interface SqliteTuning {
  readonly busyTimeoutMs?: number;
}

export function createEventStore(config: LedgerConfig, tuning: SqliteTuning = {}): EventStore {
  return config.eventStoreUrl
    ? eventStoreDb().createEventStoreDbEventStore({ connectionString: config.eventStoreUrl })
    : createSqliteEventStore({ file: eventsFile(config), backgroundCheckpoints: true, ...tuning });
}

export function createIdempotencyStore(config: LedgerConfig, tuning: SqliteTuning = {}): IdempotencyStore {
  return config.eventStoreUrl
    ? eventStoreDb().createEventStoreDbIdempotencyStore({ connectionString: config.eventStoreUrl })
    : createSqliteIdempotencyStore({ file: eventsFile(config), backgroundCheckpoints: true, ...tuning });
}

const serverTuning: SqliteTuning = { busyTimeoutMs: SERVER_BUSY_TIMEOUT_MS };

/** EVENTSTORE_URL set -> EventStoreDB, else the embedded SQLite file. */
@Global()
@Module({
  providers: [
    {
      provide: EVENT_STORE,
      inject: [LEDGER_CONFIG],
      useFactory: (c: LedgerConfig) => createEventStore(c, serverTuning),
    },
    {
      provide: IDEMPOTENCY_STORE,
      inject: [LEDGER_CONFIG],
      useFactory: (c: LedgerConfig) => createIdempotencyStore(c, serverTuning),
    },
  ],
  exports: [EVENT_STORE, IDEMPOTENCY_STORE],
})
export class EventStoreModule implements OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(IDEMPOTENCY_STORE) private readonly idempotency: IdempotencyStore,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.idempotency.close(), this.events.close()]);
  }
}
