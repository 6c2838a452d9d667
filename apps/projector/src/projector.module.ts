import { Global, Inject, Logger, Module, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@ledger/event-store/core';
import { PROJECTION_STORE, type ProjectionStore } from '@ledger/projections/core';
import { ProjectionRunner, type RunnerLogger } from '@ledger/projections';
import { allProjections } from '@ledger/read-models/projections';
import { READ_POSITION_WAITER, type ReadPositionWaiter } from '@ledger/read-models/core';

export const PROJECTION_RUNNER = Symbol('PROJECTION_RUNNER');

const runnerLogger = (logger: Logger): RunnerLogger => ({
  info: (message, context) => logger.log({ ...context, msg: message }),
  warn: (message, context) => logger.warn({ ...context, msg: message }),
  error: (message, context) => logger.error({ ...context, msg: message }),
});

/**
 * Runs every projection: backfills new ones, rebuilds changed ones blue/green, follows the log.
 * In the same process as the query API it is also what `X-Min-Position` waits on.
 */
@Global()
@Module({
  providers: [
    {
      provide: PROJECTION_RUNNER,
      inject: [EVENT_STORE, PROJECTION_STORE],
      useFactory: (eventStore: EventStore, store: ProjectionStore) =>
        new ProjectionRunner({ projections: allProjections, eventStore, store, logger: runnerLogger(new Logger('projector')) }),
    },
    {
      provide: READ_POSITION_WAITER,
      inject: [PROJECTION_RUNNER],
      useFactory: (runner: ProjectionRunner): ReadPositionWaiter => ({
        waitForPosition: (position, timeoutMs, readModels) => runner.waitForPosition(position, timeoutMs, readModels),
      }),
    },
  ],
  exports: [PROJECTION_RUNNER, READ_POSITION_WAITER],
})
export class ProjectorModule implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(@Inject(PROJECTION_RUNNER) private readonly runner: ProjectionRunner) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.runner.start();
  }

  /** Before the stores close: finish the batch in flight and save its checkpoint. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.runner.stop();
  }
}
