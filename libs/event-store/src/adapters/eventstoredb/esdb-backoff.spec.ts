import { backoffDelay } from './esdb-backoff';

const options = { initialMs: 100, maxMs: 5_000 };

describe('resubscribe backoff', () => {
  it('doubles from the initial delay', () => {
    const top = (attempt: number) => backoffDelay(attempt, options, () => 1);
    expect([0, 1, 2, 3].map(top)).toEqual([100, 200, 400, 800]);
  });

  it('never exceeds the cap, however many attempts', () => {
    expect(backoffDelay(6, options, () => 1)).toBe(5_000);
    expect(backoffDelay(10_000, options, () => 1)).toBe(5_000);
  });

  it('jitters within the upper half of the step', () => {
    expect(backoffDelay(2, options, () => 0)).toBe(200);
    expect(backoffDelay(2, options, () => 0.5)).toBe(300);
    expect(backoffDelay(50, options, () => 0)).toBe(2_500);
  });
});
