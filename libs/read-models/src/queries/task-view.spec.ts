import fc from 'fast-check';
import type { TaskDocument } from '../projections';
import { taskPageJson, taskViewJsonOf, toTaskView } from './task-view';

const task = (over: Partial<TaskDocument> = {}): TaskDocument => ({
  id: '0b6f3d3e-1c1a-4c3e-9d0f-6a1f2c3d4e5f',
  tenantId: 'acme',
  title: 'Ship it',
  description: null,
  status: 'todo',
  assignee: null,
  priority: 'normal',
  dueAt: null,
  labels: [],
  commentCount: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  revision: 0,
  ...over,
});

const taskViewJson = (stored: string, tenantId: string) => taskViewJsonOf(tenantId)(stored);
const slow = (stored: string) => JSON.stringify(toTaskView(JSON.parse(stored) as TaskDocument));

describe('taskViewJsonOf', () => {
  it('cuts the tenant out of the JSON the tasks fold writes, as parse + stringify would', () => {
    const doc = task({ labels: ['a', 'b'], assignee: 'alice' });
    const out = taskViewJson(JSON.stringify(doc), doc.tenantId);
    expect(out).toBe(slow(JSON.stringify(doc)));
    expect(JSON.parse(out)).not.toHaveProperty('tenantId');
  });

  it('equals the slow path for any id, title, description, labels and tenant, quotes and escapes included', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.string(),
        fc.string(),
        fc.option(fc.string()),
        fc.array(fc.string(), { maxLength: 5 }),
        (id, tenantId, title, description, labels) => {
          const stored = JSON.stringify(task({ id, tenantId, title, description, labels }));
          expect(taskViewJson(stored, tenantId)).toBe(slow(stored));
        },
      ),
    );
  });

  it('neither parses nor re-serialises a document in the layout the tasks fold writes', () => {
    const stored = [JSON.stringify(task()), JSON.stringify(task({ id: 'b', title: 'a "quoted" \\ title' }))];
    const view = taskViewJsonOf('acme');
    const parse = jest.spyOn(JSON, 'parse');
    const stringify = jest.spyOn(JSON, 'stringify');
    try {
      stored.forEach((s) => view(s));
      expect(parse).not.toHaveBeenCalled();
      expect(stringify).not.toHaveBeenCalled();
    } finally {
      parse.mockRestore();
      stringify.mockRestore();
    }
  });

  it("splices one tenant's documents alike, whichever comes first", () => {
    const view = taskViewJsonOf('acme');
    const docs = [task({ id: 'a', title: 'x' }), task({ id: 'b', labels: ['"q"'] })];
    for (const doc of docs) expect(view(JSON.stringify(doc))).toBe(slow(JSON.stringify(doc)));
  });

  it('cuts only the member right after the id, whatever the id holds', () => {
    // Ids with escapes, one spelling out a tenant member, and ids that are no string, one of
    // them holding a tenant member where a string id would end.
    const ids = [
      'a"b',
      'a\\',
      '","tenantId":"acme",',
      '\\","tenantId":"acme",',
      { k: 1, tenantId: 'acme', z: 2 },
      7,
      null,
    ];
    for (const id of ids) {
      const stored = JSON.stringify({ ...task(), id });
      expect(taskViewJson(stored, 'acme')).toBe(slow(stored));
    }
  });

  it('takes the general path when the layout differs (tenant elsewhere, or another tenant)', () => {
    const { id, tenantId, ...rest } = task({ title: `,"tenantId":"acme",` });
    const reordered = JSON.stringify({ id, ...rest, tenantId });
    expect(taskViewJson(reordered, tenantId)).toBe(slow(reordered));
    const stored = JSON.stringify(task());
    // The prefix names tenant "acme": asked for "acm", the splice must not cut a wrong member.
    expect(JSON.parse(taskViewJson(stored, 'acm'))).toEqual(toTaskView(task()));
  });
});

describe('taskPageJson', () => {
  it('serialises a page exactly as JSON.stringify({ items, nextCursor }) does', () => {
    const items = [toTaskView(task()), toTaskView(task({ id: 'x', revision: 3 }))];
    expect(taskPageJson({ items: items.map((i) => JSON.stringify(i)), nextCursor: 'abc' })).toBe(
      JSON.stringify({ items, nextCursor: 'abc' }),
    );
    expect(taskPageJson({ items: [], nextCursor: null })).toBe('{"items":[],"nextCursor":null}');
  });
});
