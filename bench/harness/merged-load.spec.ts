import type { LoadResult } from './http-load';
import { MergedLoad } from './merged-load';

const run = (
  requests: number,
  seconds: number,
  cpu: number | undefined,
  codes: Record<string, number>,
): LoadResult => ({
  requests,
  seconds,
  perSecond: requests / seconds,
  latency: { count: requests, p50: null, p99: null, max: null, mean: null },
  byKind: {},
  statusCodes: codes,
  errors: 1,
  non2xx: 0,
  ...(cpu === undefined ? {} : { serverCpuMsPerRequest: cpu }),
});

describe('MergedLoad', () => {
  it('adds rounds up as one run: rates over the summed time, CPU weighted by requests, exact percentiles', () => {
    const merged = new MergedLoad(1_000);
    for (let ms = 1; ms <= 100; ms++) merged.latencies.record(ms);
    merged.add(run(300, 1, 0.2, { '200': 300 }));
    merged.add(run(100, 1, 0.6, { '200': 99, '404': 1 }));
    const r = merged.result();
    expect(r).toMatchObject({
      requests: 400,
      seconds: 2,
      perSecond: 200,
      errors: 2,
      serverCpuMsPerRequest: 0.3,
    });
    expect(r.statusCodes).toEqual({ '200': 399, '404': 1 });
    expect(r.latency).toMatchObject({ count: 100, p50: 50, p99: 99, max: 100 });
    expect(r.rounds.map((x) => x.perSecond)).toEqual([300, 100]);
  });

  it('reports no server CPU when a round could not read it', () => {
    const merged = new MergedLoad(10);
    merged.add(run(10, 1, 0.2, {}));
    merged.add(run(10, 1, undefined, {}));
    expect(merged.result().serverCpuMsPerRequest).toBeUndefined();
  });
});
