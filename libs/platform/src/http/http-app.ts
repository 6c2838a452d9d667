import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Logger } from 'pino';
import type { LedgerConfig } from '../config/ledger-config';
import { createLogger, PinoNestLogger } from '../logging/logger';
import { configureHttpApp } from './configure-http-app';

export interface HttpApp {
  readonly app: INestApplication;
  readonly logger: Logger;
}

/** Builds (does not start) an HTTP app with everything the ledger's HTTP apps share. */
export async function createHttpApp(
  root: DynamicModule,
  config: LedgerConfig,
  title: string,
): Promise<HttpApp> {
  const logger = createLogger(config.logLevel, title);
  const app = await NestFactory.create(root, {
    bodyParser: false,
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  configureHttpApp(app, title);
  return { app, logger };
}

/** Starts listening and says, once, which key set is active: a dev key must never go unnoticed. */
export async function listen({ app, logger }: HttpApp, config: LedgerConfig): Promise<void> {
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
    },
    'listening',
  );
}
