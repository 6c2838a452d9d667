import {
  Controller,
  Get,
  HttpCode,
  Inject,
  Logger,
  Optional,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import { LedgerMetrics } from '../metrics/ledger-metrics';

/** Something whose readiness decides whether this process should get traffic. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

/**
 * `/health/live`: the process answers (restart it if not). `/health/ready`: every check of this
 * app passes (both stores reachable, the projector started where it runs) and no shutdown has
 * begun; otherwise 503 problem+json naming the failed checks, + Retry-After.
 */
@ApiTags('probes')
@Controller('health')
export class HealthController {
  private readonly logger = new Logger('health');
  private lastDown = '';

  constructor(
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Optional() private readonly metrics?: LedgerMetrics,
  ) {
    // The gauge is fresh at every scrape, whether or not anything probes /health/ready.
    metrics?.onScrape(() =>
      this.evaluate().then(
        () => undefined,
        () => undefined,
      ),
    );
  }

  @Get('live')
  @HttpCode(200)
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready() {
    try {
      const result = await this.evaluate();
      return { status: result.status, details: result.details };
    } catch (e) {
      if (!(e instanceof ServiceUnavailableException)) throw e;
      const result = e.getResponse() as HealthCheckResult;
      const down = Object.keys(result.error ?? {});
      const message =
        result.status === 'shutting_down' ? 'shutting down' : `not ready: ${down.join(', ')} down`;
      throw new ServiceUnavailableException({ message, retryAfter: 1 });
    }
  }

  private async evaluate(): Promise<HealthCheckResult> {
    const outcome = await this.health.check(this.checks.map((c) => () => this.indicator(c))).then(
      (result) => ({ result, error: undefined }),
      (error: unknown) => ({
        result: (error as ServiceUnavailableException).getResponse?.() as HealthCheckResult | undefined,
        error,
      }),
    );
    const down = Object.keys(outcome.result?.error ?? {}).join(',');
    // Logged on change only: a load balancer probes every few seconds.
    if (down !== this.lastDown) {
      if (down) this.logger.warn({ down: outcome.result?.error }, 'not ready');
      else this.logger.log('ready');
      this.lastDown = down;
    }
    if (outcome.error !== undefined) throw outcome.error;
    return outcome.result!;
  }

  private async indicator(c: ReadinessCheck) {
    const session = this.indicators.check(c.name);
    try {
      await c.check();
      this.metrics?.healthCheckUp.set({ check: c.name }, 1);
      return session.up();
    } catch (e) {
      this.metrics?.healthCheckUp.set({ check: c.name }, 0);
      return session.down({ message: e instanceof Error ? e.message : String(e) });
    }
  }
}
