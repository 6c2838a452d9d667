import { InvalidArgumentError, type Command } from 'commander';
import type { CliContext } from './cli-context';

/** Runs a command's body with the run's context; its result is the exit code. */
export type Act = (body: (ctx: CliContext) => Promise<number>) => Promise<void>;

export interface JsonOption {
  readonly json?: boolean;
}

/** Every command takes --json: one JSON document on stdout at the end, nothing else there. */
export const withJson = (command: Command): Command =>
  command.option('--json', 'print one JSON document at the end');

export function positiveInt(name: string, { allowZero = false } = {}) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!Number.isSafeInteger(n) || n < (allowZero ? 0 : 1)) {
      throw new InvalidArgumentError(`${name} must be a whole number${allowZero ? '' : ' above 0'}`);
    }
    return n;
  };
}

export function printJson(ctx: CliContext, value: unknown): void {
  ctx.io.out(`${JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)}\n`);
}
