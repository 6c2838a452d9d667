import type { Command } from 'commander';
import { discardParked, listAllParked, retryParked, type ParkedEvent } from '@ledger/projections';
import { EXIT, UsageError } from '../cli-io';
import type { CliContext } from '../cli-context';
import { printJson, withJson, type Act, type JsonOption } from '../command-kit';
import { formatTable } from '../output/table';

interface ListFlags extends JsonOption {
  readonly projection?: string;
}
interface RetryFlags extends ListFlags {
  readonly all?: boolean;
}

async function retry(ctx: CliContext, id: string | undefined, opts: RetryFlags): Promise<number> {
  if (!!id === !!opts.all) throw new UsageError('give a parked event id or --all, not both');
  let parked: ParkedEvent[];
  if (id) {
    const one = await ctx.store.getParked(id);
    if (!one) {
      if (opts.json) printJson(ctx, { ok: false, error: `no parked event ${id}` });
      else ctx.io.err(`no parked event ${id} (see \`ledger parked list\`)\n`);
      return EXIT.failure;
    }
    parked = [one];
  } else {
    parked = await listAllParked(ctx.store, opts.projection);
  }
  const outcomes = await retryParked({
    projections: ctx.projections,
    eventStore: ctx.eventStore,
    store: ctx.store,
    parked,
  });
  const ok = outcomes.every((o) => o.ok);
  if (opts.json) printJson(ctx, { ok, retried: outcomes });
  else {
    for (const o of outcomes)
      ctx.io.out(o.ok ? `${o.id}: folded and removed\n` : `${o.id}: still failing: ${o.error}\n`);
    if (outcomes.length === 0) ctx.io.out('no parked events\n');
  }
  return ok ? EXIT.ok : EXIT.failure;
}

export function registerParked(program: Command, act: Act): void {
  const parked = program
    .command('parked')
    .description('events whose fold threw: list, retry with the current code, discard');

  withJson(
    parked
      .command('list')
      .description('every parked event')
      .option('--projection <name>', "only this projection's"),
  ).action((opts: ListFlags) =>
    act(async (ctx) => {
      const all = await listAllParked(ctx.store, opts.projection);
      if (opts.json) printJson(ctx, { ok: true, parked: all });
      else if (all.length === 0) ctx.io.out('no parked events\n');
      else
        ctx.io.out(
          formatTable(
            ['id', 'position', 'stream', 'type', 'attempts', 'parked at', 'error'],
            all.map((p) => [
              p.id,
              p.position,
              p.streamName,
              p.eventType,
              p.attempts,
              p.parkedAt.toISOString(),
              p.error,
            ]),
          ),
        );
      return EXIT.ok;
    }),
  );

  withJson(
    parked
      .command('retry')
      .description('fold again with the current code; the record is removed when it now folds')
      .argument('[id]', 'parked event id (`<projection>:<eventId>`)')
      .option('--all', 'retry every parked event')
      .option('--projection <name>', "with --all: only this projection's"),
  ).action((id: string | undefined, opts: RetryFlags) => act((ctx) => retry(ctx, id, opts)));

  withJson(
    parked
      .command('discard')
      .description('forget a parked event (it stays in the log)')
      .argument('<id>', 'parked event id'),
  ).action((id: string, opts: JsonOption) =>
    act(async (ctx) => {
      const existed = await discardParked(ctx.store, id);
      if (opts.json) printJson(ctx, { ok: existed, discarded: existed ? id : null });
      else ctx.io[existed ? 'out' : 'err'](existed ? `${id}: discarded\n` : `no parked event ${id}\n`);
      return existed ? EXIT.ok : EXIT.failure;
    }),
  );
}
