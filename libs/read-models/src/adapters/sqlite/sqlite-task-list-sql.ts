import { NO_DUE_DATE } from '../../core/document-storage';
import type { TaskListQuery, TaskListSort } from '../../queries/task-list-query';
import { limitClause } from '@ledger/platform/sqlite/limit-clause';
import { arrayTable, docTable, fieldColumn, quote } from './sqlite-document-tables';

export interface SqlQuery {
  readonly sql: string;
  readonly params: readonly unknown[];
}

const SORT_FIELD: Readonly<Record<TaskListSort, 'createdAt' | 'dueAt' | 'updatedAt'>> = {
  createdAt: 'createdAt',
  '-createdAt': 'createdAt',
  dueAt: 'dueAt',
  '-updatedAt': 'updatedAt',
};

/**
 * The SQL of one page of `GET /v1/tasks`, built over TASKS_STORAGE's columns and indexes:
 * - with a label, the label side table drives: `(tenant_id, value, <sort>, doc_id, doc_rid)` is
 *   one range scan in sort order, and each row joins its document by rowid (`labelsHaveRid`,
 *   tables made since side rows carry it) or else through the id index;
 * - otherwise the documents table drives on `(tenant_id, [filter,] <sort>, id)`;
 * - further filters are checked on the rows the scan yields;
 * - the keyset condition `(sort, id) > (?, ?)` (or `<` descending) is a row-value comparison
 *   that SQLite turns into the lower (upper) bound of that same range.
 * One extra row is fetched to learn whether a next page exists. Only the body is selected: the
 * page is spliced from it, and rows of more than one column cost JS an array and a string more
 * each (a 51-row page read as [id, body] took 49 µs instead of 33). The LIMIT is written into
 * the SQL, not bound: see `limitClause`. Exported so a test can EXPLAIN exactly what the adapter runs.
 */
export function taskListSql(
  target: string,
  tenantId: string,
  query: TaskListQuery,
  labelsHaveRid: boolean,
): SqlQuery {
  const field = SORT_FIELD[query.sort];
  const direction = query.sort.startsWith('-') ? 'DESC' : 'ASC';
  const d = quote(docTable(target));
  const sortColumn = quote(fieldColumn(field));
  const { filter } = query;
  const where: string[] = [];
  const params: unknown[] = [];

  let from: string;
  let sortExpr: string;
  let idExpr: string;
  if (filter.label !== undefined) {
    from = `${quote(arrayTable(target, 'labels'))} a JOIN ${d} d ON ${labelsHaveRid ? 'd.rid = a.doc_rid' : 'd.id = a.doc_id'}`;
    where.push('a.tenant_id = ?', 'a.value = ?');
    params.push(tenantId, filter.label);
    sortExpr = `a.${sortColumn}`;
    idExpr = 'a.doc_id';
  } else {
    from = `${d} d`;
    where.push('d.tenant_id = ?');
    params.push(tenantId);
    sortExpr = `d.${sortColumn}`;
    idExpr = 'd.id';
  }
  for (const name of ['status', 'assignee', 'priority'] as const) {
    const value = filter[name];
    if (value === undefined) continue;
    where.push(`d.${quote(fieldColumn(name))} = ?`);
    params.push(value);
  }
  if (query.after) {
    where.push(`(${sortExpr}, ${idExpr}) ${direction === 'ASC' ? '>' : '<'} (?, ?)`);
    // A null dueAt is stored as the sentinel that makes it sort last; the cursor keeps null.
    params.push(query.after.value ?? NO_DUE_DATE, query.after.id);
  }
  const sql = `SELECT d.body AS body FROM ${from} WHERE ${where.join(' AND ')}
    ORDER BY ${sortExpr} ${direction}, ${idExpr} ${direction} ${limitClause(query.limit + 1)}`;
  return { sql, params };
}
