import type { Command } from 'commander';
import { projectionStatus, type ProjectionStatusRow } from '@ledger/projections';
import { EXIT } from '../cli-io';
import { printJson, withJson, type Act, type JsonOption } from '../command-kit';
import { formatTable } from '../output/table';

const stateText = (r: ProjectionStatusRow): string => {
  if (r.state === 'rebuilding') return `rebuilding ${r.rebuild?.percent ?? '?'}%`;
  if (r.rebuild) return `${r.state} (rebuild paused at ${r.rebuild.percent ?? '?'}%)`;
  if (r.catchUpPercent !== undefined) return `${r.state} (catching up ${r.catchUpPercent}%)`;
  return r.state;
};

const versionText = (r: ProjectionStatusRow): string => {
  const code = r.codeVersion ?? '-';
  const stored = r.storedVersion ?? '-';
  return code === stored ? `${code}` : `code ${code} / stored ${stored}`;
};

export function registerStatus(projections: Command, act: Act): void {
  withJson(
    projections
      .command('status')
      .description(
        'per projection: version (code vs stored), state, checkpoint, head, lag, parked events, last error',
      ),
  ).action((opts: JsonOption) =>
    act(async (ctx) => {
      const rows = await projectionStatus({
        projections: ctx.projections,
        eventStore: ctx.eventStore,
        store: ctx.store,
      });
      if (opts.json) {
        printJson(ctx, { ok: true, projections: rows });
        return EXIT.ok;
      }
      ctx.io.out(
        formatTable(
          [
            'projection',
            'version',
            'state',
            'checkpoint',
            'head',
            'lag events',
            'lag s',
            'parked',
            'last error',
          ],
          rows.map((r) => [
            r.name,
            versionText(r),
            stateText(r),
            r.checkpoint ?? '-',
            r.head ?? '-',
            r.eventsBehindCapped ? `${r.eventsBehind}+` : r.eventsBehind,
            r.secondsBehind,
            r.parked,
            r.lastError ?? '',
          ]),
        ),
      );
      for (const r of rows.filter((x) => x.rebuild?.holder))
        ctx.io.out(`${r.name}: rebuild held by ${r.rebuild!.holder}\n`);
      return EXIT.ok;
    }),
  );
}
