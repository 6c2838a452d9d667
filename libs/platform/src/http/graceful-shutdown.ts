import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import type { Logger } from 'pino';
import type { RequestObserver } from './request-observer';

export interface ShutdownOptions {
  /** Longest wait for in-flight requests before their connections are cut. */
  readonly drainTimeoutMs?: number;
  /** Past this, the process exits 1 whatever is still running (a stuck store close). */
  readonly hardTimeoutMs?: number;
  readonly signals?: readonly NodeJS.Signals[];
}

/**
 * SIGTERM (and SIGINT): stop accepting connections, let in-flight requests finish, then close
 * the app: Nest runs beforeApplicationShutdown (the projector finishes its batch and commits its
 * checkpoint) and then onApplicationShutdown (the stores close). Exits 0 when all of it went
 * well. Nest's own enableShutdownHooks would close the app while requests are still running.
 */
export function installGracefulShutdown(
  app: INestApplication,
  observer: RequestObserver,
  logger: Logger,
  options: ShutdownOptions = {},
): void {
  const drainMs = options.drainTimeoutMs ?? 10_000;
  const hardMs = options.hardTimeoutMs ?? drainMs + 20_000;
  let started = false;

  const shutdown = async (signal: NodeJS.Signals) => {
    if (started) return;
    started = true;
    logger.info({ signal, inFlight: observer.count }, 'shutting down: no new connections, draining requests');
    setTimeout(() => {
      logger.error({ hardTimeoutMs: hardMs }, 'shutdown took too long; exiting');
      process.exit(1);
    }, hardMs).unref();

    const server = app.getHttpServer() as Server;
    server.close();
    // Keep-alive connections with no request in flight would hold the server open.
    server.closeIdleConnections();
    const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
    const drained = await observer.drained(drainMs);
    clearInterval(idleSweep);
    if (!drained) {
      logger.warn({ inFlight: observer.count }, 'drain timed out; closing the remaining connections');
      server.closeAllConnections();
    }
    try {
      await app.close();
      logger.info('shut down cleanly');
      process.exitCode = 0;
    } catch (e) {
      logger.error({ err: e }, 'shutdown failed');
      process.exitCode = 1;
    }
    // Give pino's stdout writes a turn, then leave even if a stray handle (a timer) is left.
    setImmediate(() => process.exit());
  };

  for (const signal of options.signals ?? ['SIGTERM', 'SIGINT']) {
    process.once(signal, (s) => void shutdown(s));
  }
}
