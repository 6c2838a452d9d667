import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createSqliteEventStore } from '@ledger/event-store';
import { evolve, initialState, TASK_STATUSES, upcast, type TaskState, type TaskStatus } from '@ledger/tasks';

/**
 * The read models as they should be, computed from events.db with the DOMAIN's evolve (not the
 * projections' folds), so a bug shared by a fold and the engine cannot hide behind itself; and
 * the read models as they are, read straight from the live tables of read-models.db.
 */
export interface ExpectedReadModels {
  readonly tasks: Map<string, Record<string, unknown>>;
  readonly stats: Map<string, { byStatus: Record<TaskStatus, number>; total: number }>;
  /** task-history documents by id (`${taskId}:${revision padded}`). */
  readonly history: Map<string, Record<string, unknown>>;
  readonly events: number;
  readonly head: string | undefined;
}

export async function expectedReadModels(dataDir: string): Promise<ExpectedReadModels> {
  const store = createSqliteEventStore({ file: join(dataDir, 'events.db'), readonly: true });
  const states = new Map<string, { state: TaskState; revision: number }>();
  const history = new Map<string, Record<string, unknown>>();
  let events = 0;
  try {
    let from: string | undefined;
    for (;;) {
      const page = await store.readAll({ from, limit: 5000 });
      if (page.length === 0) break;
      for (const recorded of page) {
        const event = upcast(recorded);
        const taskId = event.data.taskId;
        const before = states.get(taskId)?.state ?? initialState;
        states.set(taskId, { state: evolve(before, event), revision: Number(recorded.revision) });
        const id = `${taskId}:${String(recorded.revision).padStart(10, '0')}`;
        history.set(id, {
          id,
          tenantId: event.metadata.tenantId,
          taskId,
          revision: Number(recorded.revision),
          type: event.type,
          data: event.data,
          actor: event.metadata.actor,
          occurredAt: event.metadata.occurredAt,
          position: recorded.position,
        });
        events++;
      }
      from = page[page.length - 1].position;
    }
    const tasks = new Map<string, Record<string, unknown>>();
    const stats = new Map<string, { byStatus: Record<TaskStatus, number>; total: number }>();
    for (const [taskId, { state, revision }] of states) {
      if (!state.exists) continue;
      const { exists: _exists, taskId: _taskId, ...fields } = state;
      tasks.set(taskId, { id: taskId, ...fields, revision });
      const s = stats.get(state.tenantId) ?? {
        byStatus: Object.fromEntries(TASK_STATUSES.map((st) => [st, 0])) as Record<TaskStatus, number>,
        total: 0,
      };
      s.byStatus[state.status]++;
      s.total++;
      stats.set(state.tenantId, s);
    }
    return { tasks, stats, history, events, head: await store.headPosition() };
  } finally {
    await store.close();
  }
}

/** Read-only view of read-models.db as the query side sees it: through the live pointers. */
export class ReadModelFile {
  readonly db: Database.Database;

  constructor(dataDir: string, options: { readonly readonly?: boolean } = { readonly: true }) {
    this.db = new Database(join(dataDir, 'read-models.db'), {
      readonly: options.readonly ?? true,
      fileMustExist: true,
    });
    this.db.pragma('busy_timeout = 5000');
  }

  liveTarget(projection: string): string | undefined {
    return (
      this.db.prepare(`SELECT live_target FROM projections WHERE name = ?`).get(projection) as
        { live_target: string } | undefined
    )?.live_target;
  }

  table(projection: string): string {
    const target = this.liveTarget(projection);
    if (!target) throw new Error(`projection ${projection} has no live target`);
    return `"doc__${target}"`;
  }

  /** Every live document of a projection by id, read in one snapshot. */
  documents(projection: string): Map<string, Record<string, unknown>> {
    return this.db.transaction(() => {
      const rows = this.db.prepare(`SELECT id, body FROM ${this.table(projection)}`).all() as {
        id: string;
        body: string;
      }[];
      return new Map(rows.map((r) => [r.id, JSON.parse(r.body) as Record<string, unknown>]));
    })();
  }

  /** The live target's checkpoint per projection (undefined before its first commit). */
  checkpoints(): Map<string, string | undefined> {
    const rows = this.db
      .prepare(
        `SELECT p.name, t.checkpoint FROM projections p LEFT JOIN targets t ON t.target = p.live_target`,
      )
      .all() as { name: string; checkpoint: string | null }[];
    return new Map(rows.map((r) => [r.name, r.checkpoint ?? undefined]));
  }

  close(): void {
    this.db.close();
  }
}

/** Opens read-models.db only once it exists (a child creates it on start). */
export function tryOpenReadModels(dataDir: string): ReadModelFile | undefined {
  try {
    return new ReadModelFile(dataDir);
  } catch {
    return undefined;
  }
}

/** Ids in `a` not in `b`. */
export const missingFrom = <V>(a: Map<string, V>, b: Map<string, unknown>): string[] =>
  [...a.keys()].filter((k) => !b.has(k));

/** Ids present in both whose documents differ (deep, key order ignored). */
export function differing(expected: Map<string, unknown>, actual: Map<string, unknown>): string[] {
  const canon = (v: unknown): string =>
    JSON.stringify(v, (_k, x: unknown) =>
      x && typeof x === 'object' && !Array.isArray(x)
        ? Object.fromEntries(
            Object.entries(x as Record<string, unknown>).sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0)),
          )
        : x,
    );
  return [...expected.keys()].filter((k) => actual.has(k) && canon(expected.get(k)) !== canon(actual.get(k)));
}

/** A summary that fits a failure message: counts and the first few offending ids. */
export function compareDocuments(expected: Map<string, unknown>, actual: Map<string, unknown>) {
  const missing = missingFrom(expected, actual);
  const extra = missingFrom(actual, expected);
  const changed = differing(expected, actual);
  return {
    expected: expected.size,
    actual: actual.size,
    missing: missing.length,
    extra: extra.length,
    changed: changed.length,
    examples: { missing: missing.slice(0, 3), extra: extra.slice(0, 3), changed: changed.slice(0, 3) },
  };
}
