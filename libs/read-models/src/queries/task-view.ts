import type { TaskDocument } from '../projections';
import type { TaskListPage } from './task-list-query';

/** The public shape of a task: the read model minus its bookkeeping (the tenant comes from the key). */
export type TaskView = Omit<TaskDocument, 'tenantId'>;

export const toTaskView = ({ tenantId: _tenant, ...task }: TaskDocument): TaskView => task;

const ID_OPENS = '{"id":"';

/**
 * For one tenant's documents (a list page): `JSON.stringify(toTaskView(JSON.parse(stored)))`,
 * without the parse and the stringify when the stored JSON has the layout the tasks fold writes
 * (`{"id":"…","tenantId":…,` first): then the view is the stored text with that one member cut
 * out. The layout is checked at the start, never searched for, so a title that happens to
 * contain `"tenantId"` cannot fool it; any other layout (a fold that orders its keys
 * differently, an id that is not a plain string, a document written by hand) takes the slow,
 * general path. Why bother: a list page is 50 documents, and parsing and re-serialising them
 * was most of the CPU a list request cost. The tenant's member is serialised once per page.
 */
export function taskViewJsonOf(tenantId: string): (stored: string) => string {
  const tenantMember = `"tenantId":${JSON.stringify(tenantId)},`;
  return (stored) => {
    // Where the id's string closes, if it holds no escape (no backslash before that quote; the
    // check is redundant for valid JSON, where `,"tenantId":` cannot follow an escaped quote,
    // but it makes the cut's correctness plain).
    const close = stored.indexOf('"', ID_OPENS.length);
    // Past that quote and the comma after it: in valid JSON, the only character that can stand
    // between a member's value and the next member's name.
    const idEnd = close + 2;
    if (
      stored.startsWith(ID_OPENS) &&
      stored.lastIndexOf('\\', close) < 0 &&
      stored.startsWith(tenantMember, idEnd)
    ) {
      return stored.slice(0, idEnd) + stored.slice(idEnd + tenantMember.length);
    }
    return JSON.stringify(toTaskView(JSON.parse(stored) as TaskDocument));
  };
}

/** A list page serialised as `JSON.stringify({ items, nextCursor })` would, from serialised items. */
export const taskPageJson = (page: TaskListPage<string>): string =>
  `{"items":[${page.items.join(',')}],"nextCursor":${JSON.stringify(page.nextCursor)}}`;
