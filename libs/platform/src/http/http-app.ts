import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { DestinationStream, Logger } from 'pino';
import type { LedgerConfig } from '../config/ledger-config';
import { createLogger, PinoNestLogger } from '../logging/logger';
import { LedgerMetrics } from '../metrics/ledger-metrics';
import { answerParserErrorsAsProblems } from './client-errors';
import { configureHttpApp } from './configure-http-app';
import { installGracefulShutdown, type ShutdownOptions } from './graceful-shutdown';
import type { RequestObserver } from './request-observer';

export interface HttpApp {
  readonly app: INestApplication;
  readonly logger: Logger;
  readonly requests: RequestObserver;
}

export interface HttpAppOptions {
  /** Where the JSON log lines go (default stdout); tests capture them here. */
  readonly logDestination?: DestinationStream;
}

/** Builds (does not start) an HTTP app with everything the ledger's HTTP apps share. */
export async function createHttpApp(
  root: DynamicModule,
  config: LedgerConfig,
  title: string,
  options: HttpAppOptions = {},
): Promise<HttpApp> {
  const logger = createLogger(config.logLevel, title, options.logDestination);
  const app = await NestFactory.create(root, {
    bodyParser: false,
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  const requests = configureHttpApp(app, title, logger);
  answerParserErrorsAsProblems(app.getHttpServer());
  return { app, logger, requests };
}

/**
 * Starts listening (a real process: `main`), with process metrics and a graceful SIGTERM, and
 * says, once, which key set is active: a dev key must never go unnoticed.
 */
export async function listen(http: HttpApp, config: LedgerConfig, shutdown?: ShutdownOptions): Promise<void> {
  const { app, logger } = http;
  app.get(LedgerMetrics, { strict: false }).collectProcessMetrics();
  installGracefulShutdown(app, http.requests, logger, shutdown);
  await app.listen(config.port, config.host);
  if (config.devKeyActive) {
    logger.warn(
      'LEDGER_API_KEYS is not set: development key "dev" (tenant "default", actor "dev") is active',
    );
  }
  logger.info(
    {
      url: `http://${config.host}:${config.port}`,
      eventStore: config.eventStoreUrl ? 'eventstoredb' : 'sqlite',
      readStore: config.mongoUrl ? 'mongodb' : 'sqlite',
      dataDir: config.dataDir,
      rateLimitPerMin: config.rateLimitPerMin,
    },
    'listening',
  );
}
