import type { LoadResult } from '../harness/http-load';
import { concurrentLoads } from './queries-scale-out';

const load = (requests: number, seconds: number, cpu: number, p99: number): LoadResult => ({
  requests,
  seconds,
  perSecond: requests / seconds,
  latency: { count: requests, p50: 1, p99, max: p99 * 2, mean: 1 },
  byKind: {},
  statusCodes: { '200': requests },
  errors: 0,
  non2xx: 0,
  serverCpuMsPerRequest: cpu,
});

describe('concurrentLoads', () => {
  it('adds the requests of the same moment over its longer duration, CPU per request weighted', () => {
    const both = concurrentLoads(load(3000, 1, 0.2, 9), load(1000, 1.25, 0.4, 12));
    expect(both.requests).toBe(4000);
    expect(both.seconds).toBe(1.25);
    expect(both.perSecond).toBe(3200);
    expect(both.serverCpuMsPerRequest).toBe(0.25);
    expect(both.latency.p99).toBe(12);
    expect(both.statusCodes).toEqual({ '200': 4000 });
  });
});
