import { Module, type DynamicModule, type InjectionToken } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthController, READINESS_CHECKS, type ReadinessCheck } from './health.controller';

export interface ReadinessChecksProvider {
  readonly inject: InjectionToken[];
  readonly useFactory: (...deps: never[]) => ReadinessCheck[];
}

/** `/health/live` and `/health/ready` (no auth, @nestjs/terminus): each app names what it needs to be ready. */
@Module({})
export class HealthModule {
  static register(checks: ReadinessChecksProvider): DynamicModule {
    return {
      module: HealthModule,
      // Terminus would log every failed probe at error level; the controller logs changes only.
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [{ provide: READINESS_CHECKS, inject: checks.inject, useFactory: checks.useFactory }],
    };
  }
}
