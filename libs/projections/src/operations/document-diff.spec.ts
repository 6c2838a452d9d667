import { canonicalJson, diffDocument } from './document-diff';

describe('diffDocument', () => {
  const doc = { id: 't1', tenantId: 'a', title: 'x', labels: ['a', 'b'], meta: { b: 1, a: 2 } };

  it('equal documents, whatever the key order, are no drift', () => {
    expect(
      diffDocument(
        't1',
        { meta: { a: 2, b: 1 }, labels: ['a', 'b'], title: 'x', tenantId: 'a', id: 't1' },
        doc,
      ),
    ).toBeUndefined();
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
  });

  it('names each differing top-level field with both values', () => {
    expect(diffDocument('t1', { ...doc, title: 'y', labels: ['b', 'a'] }, doc)).toEqual({
      kind: 'changed',
      id: 't1',
      fields: [
        { field: 'labels', stored: ['b', 'a'], expected: ['a', 'b'] },
        { field: 'title', stored: 'y', expected: 'x' },
      ],
    });
    const { title: _t, ...untitled } = doc;
    expect(diffDocument('t1', untitled, doc)).toMatchObject({
      fields: [{ field: 'title', stored: undefined, expected: 'x' }],
    });
  });

  it('missing when only the recomputation has it; extra when the fold deleted it or never made it', () => {
    expect(diffDocument('t1', undefined, doc)).toEqual({ kind: 'missing', id: 't1', expected: doc });
    expect(diffDocument('t1', doc, null)).toEqual({ kind: 'extra', id: 't1', stored: doc });
    expect(diffDocument('t1', doc, undefined)).toEqual({ kind: 'extra', id: 't1', stored: doc });
    expect(diffDocument('t1', undefined, null)).toBeUndefined();
  });

  it('compares the stored form: undefined fields of the recomputation are absent, as JSON drops them', () => {
    expect(diffDocument('t1', doc, { ...doc, extra: undefined })).toBeUndefined();
  });
});
