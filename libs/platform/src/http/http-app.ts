import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyServerOptions } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import type { LedgerConfig } from '../config/ledger-config';
import { createLogger, PinoNestLogger } from '../logging/logger';
import { LedgerMetrics } from '../metrics/ledger-metrics';
import { answerParserErrorAsProblem } from './client-errors';
import { configureHttpApp, type ConfiguredHttpApp } from './configure-http-app';
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

/** Fastify, configured to route and time out as the apps did on Express (clients rely on both). */
function fastifyAdapter(frameworkErrors: FastifyServerOptions['frameworkErrors']): FastifyAdapter {
  return new FastifyAdapter({
    frameworkErrors,
    // Express matched `/V1/Tasks/` as `/v1/tasks`, and had no limit on a parameter's length.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 16_384 },
    // Node's own timeouts (Fastify would keep idle sockets 72 s and never time a request out).
    keepAliveTimeout: 5_000,
    requestTimeout: 300_000,
    clientErrorHandler: answerParserErrorAsProblem,
    // Bodies are read by one parser of ours (configureHttpApp), which applies BODY_LIMIT itself.
    logger: false,
    requestIdHeader: false,
    // No Nest middleware anywhere: the plumbing is Fastify hooks (configureHttpApp).
    skipMiddie: true,
  });
}

/** Builds (does not start) an HTTP app with everything the ledger's HTTP apps share. */
export async function createHttpApp(
  root: DynamicModule,
  config: LedgerConfig,
  title: string,
  options: HttpAppOptions = {},
): Promise<HttpApp> {
  const logger = createLogger(config.logLevel, title, options.logDestination);
  // Bound once configureHttpApp has made the hooks it shares with the other responses.
  const late: { answerFrameworkError?: ConfiguredHttpApp['answerFrameworkError'] } = {};
  const adapter = fastifyAdapter((error, request, reply) =>
    late.answerFrameworkError!(error, request, reply),
  );
  const app = await NestFactory.create<NestFastifyApplication>(root, adapter, {
    bodyParser: false,
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  const configured = configureHttpApp(app, title, logger);
  late.answerFrameworkError = configured.answerFrameworkError;
  return { app, logger, requests: configured.requests };
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
