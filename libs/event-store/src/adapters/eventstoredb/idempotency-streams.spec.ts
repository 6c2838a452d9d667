import {
  IDEMPOTENCY_STREAM_PREFIX,
  claimed,
  completed,
  foldIdempotency,
  idempotencyStreamName,
  isStaleClaim,
  released,
} from './idempotency-streams';

const t0 = new Date('2030-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

describe('idempotency streams', () => {
  it('names one stream per (tenant, key), safely and without ambiguity', () => {
    const name = idempotencyStreamName('default', 'k1');
    expect(name).toMatch(new RegExp(`^${IDEMPOTENCY_STREAM_PREFIX}[0-9a-f]{64}$`));
    expect(idempotencyStreamName('default', 'k1')).toBe(name);
    expect(idempotencyStreamName('other', 'k1')).not.toBe(name);
    // The separator keeps ('ab', 'c') and ('a', 'bc') apart.
    expect(idempotencyStreamName('ab', 'c')).not.toBe(idempotencyStreamName('a', 'bc'));
  });

  it('has no record before the first claim', () => {
    expect(foldIdempotency([])).toBeUndefined();
  });

  it('turns a claim into a pending record', () => {
    expect(foldIdempotency([claimed('t', 'k', 'h', t0)])).toEqual({
      tenantId: 't',
      key: 'k',
      requestHash: 'h',
      createdAt: t0,
    });
  });

  it('adds the response on completion, keeping the claim', () => {
    const claim = claimed('t', 'k', 'h', t0);
    const record = foldIdempotency([claim])!;
    const response = { status: 201, body: { id: 'task-1' } };
    expect(foldIdempotency([claim, completed(record, response)])).toEqual({ ...record, response });
  });

  it('keeps a completed record when only the completion survives expiry', () => {
    const record = foldIdempotency([claimed('t', 'k', 'h', t0)])!;
    expect(foldIdempotency([completed(record, { status: 200, body: null })])).toMatchObject({
      requestHash: 'h',
      createdAt: t0,
      response: { status: 200, body: null },
    });
  });

  it('frees the key on release and lets the latest claim win after a takeover', () => {
    expect(foldIdempotency([claimed('t', 'k', 'h', t0), released('t', 'k')])).toBeUndefined();
    const taken = foldIdempotency([claimed('t', 'k', 'h1', t0), claimed('t', 'k', 'h2', at(60_000))]);
    expect(taken).toMatchObject({ requestHash: 'h2', createdAt: at(60_000) });
  });

  it('ignores event types it does not know', () => {
    expect(foldIdempotency([claimed('t', 'k', 'h', t0), { type: 'SomethingNewer', data: {} }])).toMatchObject(
      {
        requestHash: 'h',
      },
    );
  });

  it('calls a pending claim stale only when strictly older than the limit', () => {
    const pending = foldIdempotency([claimed('t', 'k', 'h', t0)])!;
    expect(isStaleClaim(pending, at(30_000), 30_000)).toBe(false);
    expect(isStaleClaim(pending, at(30_001), 30_000)).toBe(true);
    const done = { ...pending, response: { status: 200, body: {} } };
    expect(isStaleClaim(done, at(10 ** 9), 30_000)).toBe(false);
  });
});
