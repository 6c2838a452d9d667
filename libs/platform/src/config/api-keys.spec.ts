import { ApiKeys } from './api-keys';

describe('ApiKeys', () => {
  it.each(['', 'k', 'k=', 'k=t', '=t:a', 'k=t:a:extra', 'k=:a'])('rejects the malformed entry %j', (spec) => {
    expect(() => ApiKeys.parse(`ok=t:a,${spec || 'x'}`)).toThrow();
  });

  it('matches whole keys only', () => {
    const keys = ApiKeys.parse('abc=t:a');
    expect(keys.authenticate('abc')).toEqual({ tenantId: 't', actor: 'a' });
    for (const wrong of ['ab', 'abcd', 'ABC', ' abc', '']) expect(keys.authenticate(wrong)).toBeUndefined();
  });
});
