import { Command, CommanderError } from 'commander';
import { isLedgerError, ValidationError } from '@ledger/platform/errors';
import { CliContext } from './cli-context';
import { EXIT, processIo, UsageError, type CliIo } from './cli-io';
import type { Act } from './command-kit';
import { registerParked } from './commands/parked.command';
import { registerRebuild } from './commands/rebuild.command';
import { registerReplay } from './commands/replay.command';
import { registerSeed } from './commands/seed.command';
import { registerStatus } from './commands/status.command';
import { registerVerify } from './commands/verify.command';

function buildProgram(io: CliIo, act: Act): Command {
  const program = new Command('ledger')
    .description(
      'operate the task ledger read models: status, rebuild, replay, verify, repair, parked events, seed',
    )
    .exitOverride()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .showHelpAfterError('(add --help for usage)');
  const projections = program
    .command('projections')
    .description('read models: status, rebuild, replay, verify, repair');
  registerStatus(projections, act);
  registerRebuild(projections, act);
  registerReplay(projections, act);
  registerVerify(projections, act);
  registerParked(program, act);
  registerSeed(program, act);
  return program;
}

/** Ctrl-C once: stop after the batch in hand (the next run resumes). Twice: quit now. */
function installSignals(ctx: () => CliContext | undefined, io: CliIo): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    const c = ctx();
    if (!c || c.signal.aborted) process.exit(EXIT.interrupted);
    io.err(`\n${signal}: stopping after the current batch (again to quit at once)\n`);
    c.abort.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}

function exitCodeOf(e: unknown, io: CliIo, json: boolean): number {
  if (e instanceof CommanderError) {
    // Commander already printed its message (or the help).
    return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? EXIT.ok : EXIT.usage;
  }
  const usage = e instanceof UsageError || e instanceof ValidationError;
  const message = e instanceof Error ? e.message : String(e);
  if (json)
    io.out(
      `${JSON.stringify({ ok: false, error: message, ...(isLedgerError(e) ? { code: e.code } : {}) })}\n`,
    );
  io.err(`error: ${message}\n`);
  return usage ? EXIT.usage : EXIT.failure;
}

/**
 * Runs one command line (without `node` and the script) and resolves with its exit code:
 * 0 ok, 1 drift or failure, 2 usage error, 130 interrupted (the next run resumes).
 * @example process.exitCode = await run(['projections', 'status', '--json'])
 */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let ctx: CliContext | undefined;
  let code: number = EXIT.ok;
  const act: Act = async (body) => {
    ctx = new CliContext(io);
    code = await body(ctx);
  };
  const offSignals = io.handleSignals ? installSignals(() => ctx, io) : () => undefined;
  try {
    await buildProgram(io, act).parseAsync([...argv], { from: 'user' });
  } catch (e) {
    code = exitCodeOf(e, io, argv.includes('--json'));
  } finally {
    offSignals();
    await ctx?.close();
  }
  return code;
}
