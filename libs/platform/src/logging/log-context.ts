import { AsyncLocalStorage } from 'node:async_hooks';

/** The ids a log line written while serving a request carries, whoever writes it. */
export interface LogContext {
  readonly correlationId: string;
  readonly requestId: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `fn` (and everything it starts, sync or async) inside the request's log context. */
export const runWithLogContext = <T>(context: LogContext, fn: () => T): T => storage.run(context, fn);

export const currentLogContext = (): LogContext | undefined => storage.getStore();
