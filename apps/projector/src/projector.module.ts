import {
  Global,
  Inject,
  Logger,
  Module,
  Optional,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@ledger/event-store/core';
import { PROJECTION_STORE, type ProjectionStore } from '@ledger/projections/core';
import { ProjectionRunner, type RunnerLogger } from '@ledger/projections';
import { measureLag } from '@ledger/projections/engine/measure-lag';
import { LedgerMetrics, observeProjections, timeBatches, watchErrors } from '@ledger/platform/metrics';
import { TASK_STREAM_PREFIX } from '@ledger/tasks';
import { allProjections } from '@ledger/read-models/projections';
import { READ_POSITION_WAITER, type ReadPositionWaiter } from '@ledger/read-models/core';

export const PROJECTION_RUNNER = Symbol('PROJECTION_RUNNER');

const runnerLogger = (logger: Logger): RunnerLogger => ({
  info: (message, context) => logger.log({ ...context, msg: message }),
  warn: (message, context) => logger.warn({ ...context, msg: message }),
  error: (message, context) => logger.error({ ...context, msg: message }),
});

/**
 * The stores as the workers see them: watched for outages (`ledger_store_errors_total`, source
 * projector) and, for the projection store, with every batch timed. Behaviour is unchanged.
 */
function instrumented(eventStore: EventStore, store: ProjectionStore, metrics?: LedgerMetrics) {
  if (!metrics) return { eventStore, store };
  return {
    eventStore: watchErrors(eventStore, (e) => metrics.storeError('event_store', 'projector', e)),
    store: timeBatches(
      watchErrors(store, (e) => metrics.storeError('read_store', 'projector', e)),
      metrics,
    ),
  };
}

/**
 * SQLite waits out a held write lock synchronously (better-sqlite3), and the read-model file's
 * default wait is 5 s: while another process held the lock, every retried commit would freeze
 * this whole process (the query API too, in the all-in-one) for 5 s. The workers already retry a
 * busy store with backoff, asynchronously, so their connection gives up quickly instead.
 */
const PROJECTOR_BUSY_TIMEOUT_MS = 250;
const shortenBusyWait = (store: ProjectionStore): ProjectionStore => {
  const db = (store as { db?: { pragma?: (source: string) => unknown } }).db;
  db?.pragma?.(`busy_timeout = ${PROJECTOR_BUSY_TIMEOUT_MS}`);
  return store;
};

/** Remaining work of a rebuild: the handled events after its shadow's checkpoint (capped). */
const rebuildRemaining = (eventStore: EventStore) => async (name: string, checkpoint: string | undefined) => {
  const projection = allProjections.find((p) => p.name === name)!;
  const filter = { streamPrefixes: [TASK_STREAM_PREFIX], eventTypes: projection.handles };
  return (await measureLag(eventStore, filter, checkpoint, 10_000, () => new Date(), name)).eventsBehind;
};

/**
 * Runs every projection: backfills new ones, rebuilds changed ones blue/green, follows the log.
 * In the same process as the query API it is also what `X-Min-Position` waits on.
 */
@Global()
@Module({
  providers: [
    {
      provide: PROJECTION_RUNNER,
      inject: [EVENT_STORE, PROJECTION_STORE, { token: LedgerMetrics, optional: true }],
      useFactory: (eventStore: EventStore, store: ProjectionStore, metrics?: LedgerMetrics) =>
        new ProjectionRunner({
          projections: allProjections,
          ...instrumented(eventStore, shortenBusyWait(store), metrics),
          logger: runnerLogger(new Logger('projector')),
        }),
    },
    {
      provide: READ_POSITION_WAITER,
      inject: [PROJECTION_RUNNER],
      useFactory: (runner: ProjectionRunner): ReadPositionWaiter => ({
        waitForPosition: (position, timeoutMs, readModels) =>
          runner.waitForPosition(position, timeoutMs, readModels),
      }),
    },
  ],
  exports: [PROJECTION_RUNNER, READ_POSITION_WAITER],
})
export class ProjectorModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private unobserve?: () => void;

  constructor(
    @Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(PROJECTION_STORE) private readonly store: ProjectionStore,
    @Optional() private readonly metrics?: LedgerMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.runner.start();
    // After start: the runner has no workers to listen to before.
    if (this.metrics) {
      this.unobserve = observeProjections(this.metrics, {
        runner: this.runner,
        store: this.store,
        projections: allProjections.map((p) => p.name),
        rebuildRemaining: rebuildRemaining(this.eventStore),
      });
    }
  }

  /** Before the stores close: finish the batch in flight and save its checkpoint. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
    this.unobserve?.();
  }
}
