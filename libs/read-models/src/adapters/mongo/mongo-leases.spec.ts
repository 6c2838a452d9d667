import { leaseTakeable } from './mongo-leases';

describe('leaseTakeable', () => {
  it('matches the lease when its owner asks again (re-entrant) or when it has expired, in one filter', () => {
    const now = new Date('2030-01-01T00:00:01Z');
    expect(leaseTakeable('rebuild:tasks', 'cli-1', now)).toEqual({
      _id: 'rebuild:tasks',
      $or: [{ owner: 'cli-1' }, { expiresAt: { $lte: now } }],
    });
  });
});
