import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { jsonOnly, refuseProtoKeys } from './json-only.middleware';
import { ProblemDetailsFilter } from './problem-details.filter';
import { requestIds } from './request-ids.middleware';
import { strictValidationPipe } from './validation.pipe';

/** Largest accepted JSON body: a 10k-char description plus 20 labels fits many times over. */
export const BODY_LIMIT = '64kb';

/** Everything every HTTP app shares: parsing limits, ids, errors, validation, OpenAPI. */
export function configureHttpApp(app: INestApplication, title: string): void {
  const express = app as NestExpressApplication;
  express.disable('x-powered-by');
  express.set('etag', false);
  express.set('query parser', 'simple');
  express.use(requestIds);
  express.use(jsonOnly);
  express.useBodyParser('json', {
    limit: BODY_LIMIT,
    strict: true,
    type: ['application/json', 'application/*+json'],
  });
  express.use(refuseProtoKeys);
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalPipes(strictValidationPipe());
  app.enableShutdownHooks();

  const doc = new DocumentBuilder().setTitle(title).setVersion('1').addBearerAuth().build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, doc));
}
