import type { TaskDocument } from '../projections';
import type { TaskListPage } from './task-list-query';

/** The public shape of a task: the read model minus its bookkeeping (the tenant comes from the key). */
export type TaskView = Omit<TaskDocument, 'tenantId'>;

export const toTaskView = ({ tenantId: _tenant, ...task }: TaskDocument): TaskView => task;

/**
 * `JSON.stringify(toTaskView(JSON.parse(stored)))`, without the parse and the stringify when the
 * stored JSON has the layout the tasks fold writes (`{"id":…,"tenantId":…,` first): then the view
 * is the stored text with that one member cut out. The prefix is checked exactly, never searched
 * for, so a title that happens to contain `"tenantId"` cannot fool it; any other layout (a fold
 * that orders its keys differently, a document written by hand) takes the slow, general path.
 * Why bother: a list page is 50 documents, and parsing and re-serialising them was most of the
 * CPU a list request cost.
 */
export function taskViewJson(stored: string, id: string, tenantId: string): string {
  const idMember = `{"id":${JSON.stringify(id)},`;
  const tenantMember = `"tenantId":${JSON.stringify(tenantId)},`;
  if (stored.startsWith(idMember) && stored.startsWith(tenantMember, idMember.length)) {
    return idMember + stored.slice(idMember.length + tenantMember.length);
  }
  return JSON.stringify(toTaskView(JSON.parse(stored) as TaskDocument));
}

/** A list page serialised as `JSON.stringify({ items, nextCursor })` would, from serialised items. */
export const taskPageJson = (page: TaskListPage<string>): string =>
  `{"items":[${page.items.join(',')}],"nextCursor":${JSON.stringify(page.nextCursor)}}`;
