import { Controller, Get, HttpCode, Inject, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';

/** Something whose readiness decides whether this process should get traffic. */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<void>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');

@ApiTags('probes')
@Controller('health')
export class HealthController {
  constructor(@Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[]) {}

  @Get('live')
  @HttpCode(200)
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready() {
    const results = await Promise.all(
      this.checks.map(async (c) => {
        try {
          await c.check();
          return [c.name, { status: 'up' }] as const;
        } catch (e) {
          return [c.name, { status: 'down', message: e instanceof Error ? e.message : String(e) }] as const;
        }
      }),
    );
    const details = Object.fromEntries(results);
    const ok = results.every(([, r]) => r.status === 'up');
    if (!ok) throw new ServiceUnavailableException({ message: 'not ready', details, retryAfter: 1 });
    return { status: 'ok', details };
  }
}
