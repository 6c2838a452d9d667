import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger } from 'pino';
import { currentLogContext } from './log-context';

/**
 * Paths pino censors, wherever a caller puts a request, its headers or a key. Defence in depth:
 * the access log never includes headers and the config keeps only key digests.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'request.headers.authorization',
  'headers.authorization',
  'authorization',
  'Authorization',
  'apiKey',
  'apiKeys',
  'key',
  'token',
  'config.apiKeys',
];

/**
 * JSON lines on stdout (or `destination`). Every line written while a request is served carries
 * its `correlationId` and `requestId` (AsyncLocalStorage), so one grep follows a request through
 * the command handler, the store and the projector's logs.
 */
export function createLogger(level: string, name = 'ledger', destination?: DestinationStream): Logger {
  return pino(
    {
      name,
      level,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      mixin: () => ({ ...currentLogContext() }),
    },
    destination,
  );
}

/** Lets Nest's own messages go through pino as structured JSON. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  /**
   * Nest calls `log(message, ...params, context)`: a `Logger('x').warn({ err }, 'text')` arrives
   * as `({ err }, 'text', 'x')`, so the last string is the context and an earlier one the message.
   */
  private write(
    level: 'info' | 'error' | 'warn' | 'debug' | 'trace',
    message: unknown,
    params: unknown[],
  ): void {
    const strings = params.filter((p): p is string => typeof p === 'string');
    const context = strings.length > 0 ? strings[strings.length - 1] : undefined;
    if (typeof message === 'object' && message !== null) {
      const text = strings.length > 1 ? strings[0] : undefined;
      this.logger[level]({ context, ...message }, text);
    } else this.logger[level]({ context }, String(message));
  }

  log(message: unknown, ...params: unknown[]) {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]) {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]) {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]) {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]) {
    this.write('trace', message, params);
  }
}
