import { statsProjection, taskHistoryProjection, tasksProjection } from '@ledger/read-models/projections';
import type { Projection, ReadDocument } from '../core/projection';
import { countsProjection } from '../testing';
import { inferRecomputeScope } from './recompute-scope';

const scopeOf = (p: Projection<never>) => inferRecomputeScope(p as Projection<ReadDocument>);

describe('inferRecomputeScope', () => {
  it('task-keyed documents come from the task stream their id starts with', () => {
    for (const p of [tasksProjection, taskHistoryProjection]) {
      const scope = scopeOf(p as Projection<never>);
      expect(scope.kind).toBe('stream');
      if (scope.kind === 'stream') {
        expect(scope.streamOf('5f0c')).toBe('task-5f0c');
        expect(scope.streamOf('5f0c:0000000003')).toBe('task-5f0c');
      }
    }
  });

  it('tenant-keyed documents are folded over all of the tenant streams', () => {
    expect(scopeOf(statsProjection as Projection<never>)).toEqual({ kind: 'tenant' });
    expect(scopeOf(countsProjection as Projection<never>)).toEqual({ kind: 'tenant' });
  });

  it('refuses to guess for documents keyed otherwise', () => {
    const byTitle = { ...tasksProjection, documentId: () => 'constant' } as Projection<ReadDocument>;
    expect(() => inferRecomputeScope(byTitle)).toThrow(/keyed neither by task nor by tenant/);
  });
});
