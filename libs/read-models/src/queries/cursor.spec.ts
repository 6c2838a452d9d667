import fc from 'fast-check';
import { ValidationError } from '@ledger/platform/errors';
import {
  compareTasks,
  cursorAfter,
  decodeCursor,
  encodeCursor,
  isAfterCursor,
  readCursor,
  type TaskListCursor,
} from './cursor';
import { TASK_LIST_SORTS, type TaskListSort } from './task-list-query';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
type Task = { id: string; createdAt: string; updatedAt: string; dueAt: string | null };

function cursorProblems(raw: unknown, sort: TaskListSort): string[] {
  try {
    decodeCursor(raw, sort);
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    const fields = (e as ValidationError).fields;
    expect(fields.map((f) => f.field)).toEqual(['cursor']);
    return fields[0]!.problems;
  }
  throw new Error(`cursor ${String(raw)} was accepted`);
}

describe('cursor', () => {
  it.each<TaskListCursor>([
    { sort: '-createdAt', value: '2025-01-01T00:00:00.000Z', id: 'a1' },
    { sort: 'createdAt', value: '2025-01-01T00:00:00.000Z', id: 'ü-id-✓' },
    { sort: '-updatedAt', value: '2025-06-01T12:00:00.000Z', id: 'b' },
    { sort: 'dueAt', value: '2025-02-01T00:00:00.000Z', id: 'c' },
    { sort: 'dueAt', value: null, id: 'd' },
  ])('round-trips %j', (cursor) => {
    const encoded = encodeCursor(cursor);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(encoded, cursor.sort)).toEqual(cursor);
  });

  it('encodes a null dueAt as a JSON null in v', () => {
    const encoded = encodeCursor({ sort: 'dueAt', value: null, id: 'x' });
    expect(JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'))).toEqual({
      s: 'dueAt',
      v: null,
      i: 'x',
    });
  });

  it('rejects a cursor made for another sort', () => {
    const encoded = encodeCursor({ sort: 'dueAt', value: null, id: 'x' });
    expect(cursorProblems(encoded, '-createdAt')).toEqual([expect.stringMatching(/issued for sort=dueAt/)]);
  });

  const good = encodeCursor({ sort: 'createdAt', value: '2025-01-01T00:00:00.000Z', id: 'task-1' });
  it('the tampering cases below start from a valid cursor', () => {
    expect(good.endsWith('Q')).toBe(true);
    expect(Buffer.from(`${good.slice(0, -1)}R`, 'base64url')).toEqual(Buffer.from(good, 'base64url'));
    expect(decodeCursor(good, 'createdAt').id).toBe('task-1');
  });
  it.each<[string, unknown]>([
    ['not a string', 42],
    ['an array', [good, good]],
    ['empty', ''],
    ['too long', 'A'.repeat(513)],
    ['not base64url', '!!!!'],
    ['padded base64', `${b64('{"s":"createdAt","v":"x","i":"y"}')}=`],
    ['standard base64 alphabet', Buffer.from('{"s":"createdAt","v":"x>?","i":"y"}').toString('base64')],
    ['a flipped character', good.slice(0, 5) + (good[5] === 'A' ? 'B' : 'A') + good.slice(6)],
    ['truncated', good.slice(0, -3)],
    // 'task-1' makes the encoding end in 'Q' with 4 unused bits: 'R' decodes to the same bytes.
    ['non-canonical trailing bits', `${good.slice(0, -1)}R`],
    ['not JSON', b64('hello')],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')],
    ['a JSON array', b64('["createdAt","x","y"]')],
    ['JSON null', b64('null')],
    ['a missing key', b64('{"s":"createdAt","v":"x"}')],
    ['an extra key', b64('{"s":"createdAt","v":"x","i":"y","o":1}')],
    ['a numeric value', b64('{"s":"createdAt","v":5,"i":"y"}')],
    ['an empty id', b64('{"s":"createdAt","v":"x","i":""}')],
    ['an unknown sort', b64('{"s":"title","v":"x","i":"y"}')],
    ['a null value for a sort that has no nulls', b64('{"s":"createdAt","v":null,"i":"y"}')],
  ])('rejects a cursor that is %s', (_why, raw) => {
    const problems = cursorProblems(raw, 'createdAt');
    expect(problems).toHaveLength(1);
  });

  it('readCursor without a sort checks only the shape', () => {
    const encoded = encodeCursor({ sort: 'dueAt', value: null, id: 'x' });
    expect(readCursor(encoded)).toEqual({ ok: true, cursor: { sort: 'dueAt', value: null, id: 'x' } });
    expect(readCursor('%%%')).toMatchObject({ ok: false });
  });

  describe('order', () => {
    const t = (id: string, createdAt: string, dueAt: string | null = null, updatedAt = createdAt): Task => ({
      id,
      createdAt,
      updatedAt,
      dueAt,
    });
    const tasks = [
      t('b', '2025-01-02', '2025-03-01'),
      t('a', '2025-01-02', null),
      t('c', '2025-01-01', '2025-02-01', '2025-09-09'),
      t('d', '2025-01-03', null),
    ];
    const order = (sort: TaskListSort) => [...tasks].sort(compareTasks(sort)).map((x) => x.id);

    it('createdAt ascending breaks ties by id ascending', () =>
      expect(order('createdAt')).toEqual(['c', 'a', 'b', 'd']));
    it('-createdAt descending breaks ties by id descending', () =>
      expect(order('-createdAt')).toEqual(['d', 'b', 'a', 'c']));
    it('-updatedAt is newest change first', () => expect(order('-updatedAt')).toEqual(['c', 'd', 'b', 'a']));
    it('dueAt ascending puts tasks without a due date last, by id', () =>
      expect(order('dueAt')).toEqual(['c', 'b', 'a', 'd']));

    it('isAfterCursor is strictly after, also among null due dates', () => {
      const at = (id: string) => tasks.find((x) => x.id === id)!;
      const after = (sort: TaskListSort, id: string) => decodeCursor(cursorAfter(sort, at(id)), sort);
      expect(
        tasks
          .filter((x) => isAfterCursor(x, after('dueAt', 'b')))
          .map((x) => x.id)
          .sort(),
      ).toEqual(['a', 'd']);
      expect(tasks.filter((x) => isAfterCursor(x, after('dueAt', 'a'))).map((x) => x.id)).toEqual(['d']);
      expect(
        tasks
          .filter((x) => isAfterCursor(x, after('-createdAt', 'b')))
          .map((x) => x.id)
          .sort(),
      ).toEqual(['a', 'c']);
    });
  });

  it('walking every page under concurrent inserts returns each existing task exactly once, in order', () => {
    // Few distinct timestamps and some null due dates, so ties and nulls are the common case.
    const stamp = fc.integer({ min: 0, max: 5 }).map((d) => `2025-01-0${d + 1}T00:00:00.000Z`);
    const task = fc.record({ id: fc.uuid(), createdAt: stamp, updatedAt: stamp, dueAt: fc.option(stamp) });
    fc.assert(
      fc.property(
        fc.uniqueArray(task, { selector: (x) => x.id, maxLength: 40 }),
        fc.array(fc.array(task, { maxLength: 3 }), { maxLength: 40 }),
        fc.constantFrom(...TASK_LIST_SORTS),
        fc.integer({ min: 1, max: 7 }),
        (initial, insertsPerPage, sort, limit) => {
          const store = new Map(initial.map((x) => [x.id, x]));
          const seen: Task[] = [];
          let cursor: string | null = null;
          for (let pageNo = 0; ; pageNo++) {
            const after: TaskListCursor | null = cursor === null ? null : decodeCursor(cursor, sort);
            const rest: Task[] = [...store.values()]
              .sort(compareTasks(sort))
              .filter((x) => after === null || isAfterCursor(x, after));
            const items = rest.slice(0, limit);
            seen.push(...items);
            cursor = rest.length > limit ? cursorAfter(sort, items[items.length - 1]!) : null;
            if (cursor === null) break;
            for (const x of insertsPerPage[pageNo] ?? []) if (!store.has(x.id)) store.set(x.id, x);
          }
          const ids = seen.map((x) => x.id);
          expect(new Set(ids).size).toBe(ids.length);
          expect(ids).toEqual(expect.arrayContaining(initial.map((x) => x.id)));
          const compare = compareTasks(sort);
          for (let i = 1; i < seen.length; i++) expect(compare(seen[i - 1]!, seen[i]!)).toBeLessThan(0);
        },
      ),
      { numRuns: 200 },
    );
  });
});
