import type { ScenarioContext } from '../harness/context';
import type { LoadOptions, LoadRequest, LoadResult } from '../harness/http-load';
import { MergedLoad } from '../harness/merged-load';
import type { LatencyRecorder } from '../harness/stats';

export interface LoadKind {
  readonly name: string;
  next(): LoadRequest;
}

/** Where a recorded load puts each latency and each answer that is not a 200. */
export interface Recording {
  readonly latencies: LatencyRecorder;
  failed(): void;
}

/** One load of `kind` for `seconds`, against one server or several; recorded when `recording` is given. */
export type KindLoad = (kind: LoadKind, seconds: number, recording?: Recording) => Promise<LoadResult>;

export interface KindMeasure {
  readonly load: ReturnType<MergedLoad['result']>;
  readonly failures: number;
}

/** The options of `runLoad` that record into `recording`; none for a load that is not recorded. */
export const recordedBy = (recording: Recording | undefined): Partial<LoadOptions> =>
  recording
    ? {
        onResponse: (_r, status) => void (status === 200 || recording.failed()),
        alsoRecord: recording.latencies,
      }
    : {};

/**
 * A warm-up over every kind in turn, not recorded (a freshly started server runs its first
 * requests unoptimised), then the rounds: every kind once per round, and each kind's rounds merged
 * exactly (MergedLoad). A noisy stretch of this shared machine then lands on every kind alike
 * instead of on whichever ran at the time, which made kinds differ by 2x between runs.
 * `runsAtOnce`: how many runs one load makes at the same time (one per server), for the merged
 * latencies' capacity.
 */
export async function interleavedRounds(
  ctx: ScenarioContext,
  kinds: readonly LoadKind[],
  load: KindLoad,
  runsAtOnce = 1,
): Promise<KindMeasure[]> {
  const { secondsPerQuery, rounds, maxRequestsPerQuery } = ctx.sizes.queries;
  let turn = 0;
  await load(
    { name: 'warm-up', next: () => kinds[turn++ % kinds.length].next() },
    Math.min(2, secondsPerQuery),
  );
  const merged = kinds.map(() => new MergedLoad(maxRequestsPerQuery * rounds * runsAtOnce));
  const failures = kinds.map(() => 0);
  for (let r = 0; r < rounds; r++) {
    for (const [i, kind] of kinds.entries()) {
      const recording = { latencies: merged[i].latencies, failed: () => void failures[i]++ };
      merged[i].add(await load(kind, secondsPerQuery / rounds, recording));
    }
  }
  return kinds.map((_, i) => ({ load: merged[i].result(), failures: failures[i] }));
}
