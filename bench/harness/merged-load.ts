import type { LoadResult } from './http-load';
import { LatencyRecorder, round } from './stats';

/**
 * Several runs of the same load added up as if they were one: requests and seconds summed,
 * percentiles over every request's latency (pass `latencies` to each run as `alsoRecord`), and
 * server CPU per request over all of them. Each run stays listed in `rounds`.
 */
export class MergedLoad {
  readonly latencies: LatencyRecorder;
  private readonly runs: LoadResult[] = [];

  constructor(capacity: number) {
    this.latencies = new LatencyRecorder(capacity);
  }

  add(run: LoadResult): void {
    this.runs.push(run);
  }

  result(): LoadResult & { readonly rounds: readonly RoundSummary[] } {
    const sum = (f: (r: LoadResult) => number) => this.runs.reduce((a, r) => a + f(r), 0);
    const requests = sum((r) => r.requests);
    const seconds = sum((r) => r.seconds);
    const cpuKnown = this.runs.length > 0 && this.runs.every((r) => r.serverCpuMsPerRequest !== undefined);
    const cpu =
      cpuKnown && requests > 0 ? sum((r) => r.serverCpuMsPerRequest! * r.requests) / requests : undefined;
    const statusCodes: Record<string, number> = {};
    for (const r of this.runs)
      for (const [code, n] of Object.entries(r.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
    return {
      requests,
      seconds,
      perSecond: seconds > 0 ? round(requests / seconds) : 0,
      latency: this.latencies.summary(),
      // One kind per merged load here: its latencies are `latency`.
      byKind: {},
      statusCodes,
      errors: sum((r) => r.errors),
      non2xx: sum((r) => r.non2xx),
      ...(cpu === undefined ? {} : { serverCpuMsPerRequest: round(cpu, 3) }),
      rounds: this.runs.map((r) => ({
        requests: r.requests,
        perSecond: r.perSecond,
        p99: r.latency.p99,
        serverCpuMsPerRequest: r.serverCpuMsPerRequest,
      })),
    };
  }
}

export interface RoundSummary {
  readonly requests: number;
  readonly perSecond: number;
  readonly p99: number | null;
  readonly serverCpuMsPerRequest?: number;
}
