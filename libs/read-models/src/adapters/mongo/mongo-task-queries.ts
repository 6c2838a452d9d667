import type { Collection, Db } from 'mongodb';
import type { Position } from '@ledger/event-store';
import { TASKS_STORAGE, type DocumentStorage } from '../../core/document-storage';
import {
  TASK_READ_MODELS,
  type Positioned,
  type TaskHistoryEntry,
  type TaskQueries,
  type TaskReadModel,
  type TaskStats,
} from '../../core/task-queries.port';
import {
  emptyStats,
  STATS_PROJECTION_NAME,
  TASK_HISTORY_PROJECTION_NAME,
  TASKS_PROJECTION_NAME,
  type StatsDocument,
  type TaskDocument,
  type TaskHistoryDocument,
} from '../../projections';
import { cursorAfter } from '../../queries/cursor';
import type { TaskListPage, TaskListQuery } from '../../queries/task-list-query';
import { taskPageJson, toTaskView } from '../../queries/task-view';
import { connectMongo, type MongoConnection, type MongoConnectionOptions } from './mongo-connection';
import { documentCollection, type StoredDocumentRecord } from './mongo-document-layout';
import { isCollectionGone, isMissingHintedIndex, mongoCall } from './mongo-errors';
import { lowestLiveCheckpoint, PROJECTION_STATE, type ProjectionStateRecord } from './mongo-projection-state';
import { taskHistoryFind, taskListFind } from './mongo-task-list-query';

export type MongoTaskQueriesOptions = (MongoConnectionOptions | { readonly connection: MongoConnection }) & {
  /** How the tasks projection is stored; must match the projection store's. */
  readonly tasksStorage?: DocumentStorage;
};

/** @example const queries = createMongoTaskQueries({ url: process.env.MONGO_URL! }) */
export function createMongoTaskQueries(options: MongoTaskQueriesOptions): MongoTaskQueries {
  const owns = !('connection' in options);
  return new MongoTaskQueries(
    'connection' in options ? options.connection : connectMongo(options),
    owns,
    options.tasksStorage,
  );
}

/**
 * Runs a find with its index hint, or, if that index is missing, without it. Targets get their
 * indexes right after their pointer is set and again at every projection store start-up, so only
 * a crash in between leaves one without: better a slower answer than a 500 until the next start.
 */
async function hinted<T>(
  hint: Readonly<Record<string, 1>>,
  find: (h: { hint?: Record<string, 1> }) => Promise<T>,
): Promise<T> {
  try {
    return await find({ hint: { ...hint } });
  } catch (e) {
    if (!isMissingHintedIndex(e)) throw e;
    return find({});
  }
}

// A switch during a read is rare; twice in a row during one read is not worth more attempts.
const READ_ATTEMPTS = 3;

/**
 * Reads each projection's LIVE target through its pointer document. Reads go to the primary
 * (the driver's default), where every acknowledged document write precedes its checkpoint:
 * once `position()` reports a position, the documents behind it are visible.
 */
export class MongoTaskQueries implements TaskQueries {
  readonly db: Db;
  private readonly states: Collection<ProjectionStateRecord>;

  constructor(
    private readonly connection: MongoConnection,
    private readonly ownsConnection: boolean,
    private readonly tasksStorage: DocumentStorage = TASKS_STORAGE,
  ) {
    this.db = connection.db;
    this.states = this.db.collection<ProjectionStateRecord>(PROJECTION_STATE);
  }

  private call<T>(fn: () => Promise<T>): Promise<T> {
    return mongoCall(async () => {
      await this.connection.ready();
      return fn();
    });
  }

  private async liveTarget(projection: string): Promise<string | undefined> {
    return (await this.states.findOne({ _id: projection }, { projection: { live: 1 } }))?.live;
  }

  /**
   * Runs `read` on the live collection. MongoDB answers a read of a dropped collection with
   * nothing rather than an error, so when a read comes back empty (or is killed by a drop) and
   * the pointer has moved meanwhile, a switch happened under it: read the new live copy.
   */
  private onLive<T>(
    projection: string,
    empty: (result: T) => boolean,
    fallback: T,
    read: (c: Collection<StoredDocumentRecord>) => Promise<T>,
  ): Promise<T> {
    return this.call(async () => {
      let target = await this.liveTarget(projection);
      for (let attempt = 1; ; attempt++) {
        if (target === undefined) return fallback;
        let result: T | undefined;
        let gone: unknown;
        try {
          result = await read(this.db.collection<StoredDocumentRecord>(documentCollection(target)));
          if (!empty(result)) return result;
        } catch (e) {
          if (!isCollectionGone(e)) throw e;
          gone = e;
        }
        const now = await this.liveTarget(projection);
        if (now === target || attempt >= READ_ATTEMPTS) {
          if (gone !== undefined) throw gone;
          return result as T;
        }
        target = now;
      }
    });
  }

  getTask(tenantId: string, id: string): Promise<TaskDocument | undefined> {
    return this.onLive<TaskDocument | undefined>(
      TASKS_PROJECTION_NAME,
      (d) => d === undefined,
      undefined,
      async (c) => {
        const r = await c.findOne({ _id: id, tenantId }, { projection: { doc: 1 } });
        return r ? (r.doc as TaskDocument) : undefined;
      },
    );
  }

  /**
   * The driver hands over parsed documents already: nothing to splice, so serialise them. No
   * snapshot spans two reads here: the position is read first, so the page is at least as fresh.
   */
  async listTasksJson(tenantId: string, query: TaskListQuery): Promise<Positioned<string>> {
    const position = await this.position(['tasks']);
    const page = await this.listTasks(tenantId, query);
    const value = taskPageJson({
      items: page.items.map((d) => JSON.stringify(toTaskView(d))),
      nextCursor: page.nextCursor,
    });
    return { value, position };
  }

  listTasks(tenantId: string, query: TaskListQuery): Promise<TaskListPage<TaskDocument>> {
    const empty: TaskListPage<TaskDocument> = { items: [], nextCursor: null };
    return this.onLive(
      TASKS_PROJECTION_NAME,
      (p) => p.items.length === 0,
      empty,
      async (c) => {
        const { filter, sort, hint, limit } = taskListFind(this.tasksStorage, tenantId, query);
        // batchSize = limit: the whole page in the first reply, no getMore, no cursor left open.
        const rows = await hinted(hint, (h) =>
          c.find(filter, { sort, ...h, limit, batchSize: limit, projection: { _id: 0, doc: 1 } }).toArray(),
        );
        const items = rows.slice(0, query.limit).map((r) => r.doc as TaskDocument);
        const more = rows.length > query.limit;
        return { items, nextCursor: more ? cursorAfter(query.sort, items[items.length - 1]) : null };
      },
    );
  }

  taskHistory(tenantId: string, taskId: string): Promise<TaskHistoryEntry[]> {
    return this.onLive<TaskHistoryEntry[]>(
      TASK_HISTORY_PROJECTION_NAME,
      (e) => e.length === 0,
      [],
      async (c) => {
        const { filter, sort, hint } = taskHistoryFind(tenantId, taskId);
        const rows = await hinted(hint, (h) =>
          c.find(filter, { sort, ...h, projection: { doc: 1 } }).toArray(),
        );
        return rows.map((r) => {
          const { revision, type, data, actor, occurredAt, position } = r.doc as TaskHistoryDocument;
          return { revision, type, data, actor, occurredAt, position };
        });
      },
    );
  }

  async stats(tenantId: string): Promise<TaskStats> {
    const doc =
      (await this.onLive<StatsDocument | undefined>(
        STATS_PROJECTION_NAME,
        (d) => d === undefined,
        undefined,
        async (c) => {
          const r = await c.findOne({ _id: tenantId, tenantId }, { projection: { doc: 1 } });
          return r ? (r.doc as StatsDocument) : undefined;
        },
      )) ?? emptyStats(tenantId);
    return { byStatus: doc.byStatus, total: doc.total };
  }

  position(readModels: readonly TaskReadModel[] = TASK_READ_MODELS): Promise<Position | undefined> {
    return this.call(async () => {
      const records = await this.states.find({ _id: { $in: [...new Set(readModels)] } }).toArray();
      return lowestLiveCheckpoint(records, readModels)?.position;
    });
  }

  async close(): Promise<void> {
    if (this.ownsConnection) await this.connection.close();
  }
}
