import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { Logger } from 'pino';
import { LedgerMetrics } from '../metrics/ledger-metrics';
import { jsonOnly, refuseProtoKeys } from './json-only.middleware';
import { ProblemDetailsFilter } from './problem-details.filter';
import { RequestObserver } from './request-observer';
import { requestIds } from './request-ids.middleware';
import { securityHeaders } from './security-headers';
import { strictValidationPipe } from './validation.pipe';

/** Largest accepted JSON body: a 10k-char description plus 20 labels fits many times over. */
export const BODY_LIMIT = '64kb';

function metricsOf(app: INestApplication): LedgerMetrics | undefined {
  try {
    return app.get(LedgerMetrics, { strict: false });
  } catch {
    return undefined; // an app root without MetricsModule: nothing to record into
  }
}

/**
 * Everything every HTTP app shares: security headers, parsing limits, ids, request metrics and
 * access log, errors, validation, OpenAPI. Returns the observer a graceful shutdown drains.
 */
export function configureHttpApp(app: INestApplication, title: string, logger?: Logger): RequestObserver {
  const express = app as NestExpressApplication;
  const observer = new RequestObserver(logger, metricsOf(app));
  express.disable('x-powered-by');
  express.set('etag', false);
  express.set('query parser', 'simple');
  express.use(observer.track);
  express.use(securityHeaders);
  express.use(requestIds);
  express.use(jsonOnly);
  express.useBodyParser('json', {
    limit: BODY_LIMIT,
    strict: true,
    type: ['application/json', 'application/*+json'],
  });
  express.use(refuseProtoKeys);
  express.use(observer.context);
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalPipes(strictValidationPipe());

  const doc = new DocumentBuilder().setTitle(title).setVersion('1').addBearerAuth().build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, doc));
  return observer;
}
