import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { IDEMPOTENCY_STORE, type IdempotencyStore } from '@ledger/event-store/core';

/** Keys are promised for 24 h; keeping them 48 h leaves room for clock skew and slow retries. */
export const IDEMPOTENCY_RETENTION_MS = 48 * 3600_000;
const SWEEP_EVERY_MS = 3600_000;

@Injectable()
export class IdempotencyJanitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('idempotency');
  private timer?: NodeJS.Timeout;

  constructor(@Inject(IDEMPOTENCY_STORE) private readonly store: IdempotencyStore) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async sweep(now = new Date()): Promise<number> {
    try {
      const purged = await this.store.purgeOlderThan(new Date(now.getTime() - IDEMPOTENCY_RETENTION_MS));
      if (purged > 0) this.logger.log({ purged }, 'purged old idempotency keys');
      return purged;
    } catch (err) {
      this.logger.warn({ err }, 'idempotency sweep failed; will retry');
      return 0;
    }
  }
}
