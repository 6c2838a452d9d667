import type { Position } from '@ledger/event-store';
import type { StatusCounts, TaskDocument } from '../projections';
import type { TaskListPage, TaskListQuery } from '../queries/task-list-query';

/** One entry of `GET /v1/tasks/:id/history`. */
export interface TaskHistoryEntry {
  readonly revision: number;
  readonly type: string;
  readonly data: unknown;
  readonly actor: string;
  readonly occurredAt: string;
  readonly position: Position;
}

/** A read and the position it reflects: what its response serves as `X-Position`. */
export interface Positioned<T> {
  readonly value: T;
  /** Undefined while the read model has projected nothing (as `position()` says). */
  readonly position: Position | undefined;
}

export interface TaskStats {
  readonly byStatus: StatusCounts;
  readonly total: number;
}

/** The read models a query can depend on; `position()` takes the lowest checkpoint among them. */
export type TaskReadModel = 'tasks' | 'task-history' | 'stats';
export const TASK_READ_MODELS: readonly TaskReadModel[] = ['tasks', 'task-history', 'stats'];

/**
 * The query side of the tasks read models, always reading each projection's LIVE target (a
 * rebuild's shadow is invisible until it is switched in). Tenant isolation is part of every
 * call: another tenant's task is simply absent.
 */
export interface TaskQueries {
  /** @example const task = await queries.getTask('default', id) // undefined -> 404 */
  getTask(tenantId: string, id: string): Promise<TaskDocument | undefined>;

  /**
   * One keyset page in the total order of `compareSortKeys` (sort value, then id, nulls of
   * dueAt last). `nextCursor` is null on the last page.
   * @example await queries.listTasks('default', parseTaskListQuery(req.query))
   */
  listTasks(tenantId: string, query: TaskListQuery): Promise<TaskListPage<TaskDocument>>;

  /**
   * The same page as `listTasks`, as the list response's JSON: `{"items":[…],"nextCursor":…}`
   * with each item's public view (`toTaskView`). A store that keeps documents as JSON text
   * splices it instead of parsing and re-serialising every document of the page. Comes with
   * `position(['tasks'])`, read from the page's own snapshot where the store has snapshots
   * (else before the page): the list route needs no separate position read.
   */
  listTasksJson(tenantId: string, query: TaskListQuery): Promise<Positioned<string>>;

  /** The task's events in revision order; [] when the task is unknown to this tenant. */
  taskHistory(tenantId: string, taskId: string): Promise<TaskHistoryEntry[]>;

  /** Counts by status; all zeros for a tenant without tasks. */
  stats(tenantId: string): Promise<TaskStats>;

  /**
   * The position every listed read model has reached (their lowest checkpoint): what a response
   * reflects, served as `X-Position`. Undefined while one of them has projected nothing.
   * @example res.setHeader('X-Position', (await queries.position(['tasks'])) ?? '0')
   */
  position(readModels?: readonly TaskReadModel[]): Promise<Position | undefined>;

  close(): Promise<void>;
}

export const TASK_QUERIES = Symbol('TASK_QUERIES');

/**
 * Waits until the read models reach a position (`X-Min-Position`). In one process the
 * ProjectionRunner is one (woken by its workers' commits); a query API in its own process uses
 * its store's watcher (SQLite: file-change notifications; MongoDB: a change stream or polling).
 */
export interface ReadPositionWaiter {
  /** True when every listed read model reached `position` within `timeoutMs`. */
  waitForPosition(
    position: Position,
    timeoutMs: number,
    readModels?: readonly TaskReadModel[],
  ): Promise<boolean>;
}

export const READ_POSITION_WAITER = Symbol('READ_POSITION_WAITER');
