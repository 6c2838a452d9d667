import { Global, Module } from '@nestjs/common';
import { LedgerMetrics } from './ledger-metrics';
import { MetricsController } from './metrics.controller';

/** One LedgerMetrics (and registry) per app instance; every module may record into it. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [{ provide: LedgerMetrics, useFactory: () => new LedgerMetrics() }],
  exports: [LedgerMetrics],
})
export class MetricsModule {}
