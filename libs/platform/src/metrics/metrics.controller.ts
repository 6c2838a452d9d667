import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { LedgerMetrics } from './ledger-metrics';

/** `GET /metrics` in Prometheus text format, without auth like the probes (scrapers carry no key). */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: LedgerMetrics) {}

  @Get()
  async scrape(@Res() res: FastifyReply): Promise<void> {
    const body = await this.metrics.render();
    void res.code(200).type(this.metrics.contentType).send(body);
  }
}
