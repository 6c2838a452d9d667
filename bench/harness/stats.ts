/**
 * Latencies kept exactly (a Float64Array per recorder, bounded by its capacity) rather than in
 * autocannon's histogram, whose 1 ms resolution cannot tell a 1.2 ms p99 from a 1.9 ms one.
 */
export class LatencyRecorder {
  private values: Float64Array;
  private n = 0;
  private dropped = 0;

  constructor(private readonly capacity = 2_000_000) {
    this.values = new Float64Array(Math.min(capacity, 4096));
  }

  record(ms: number): void {
    if (this.n === this.values.length) {
      if (this.n >= this.capacity) {
        this.dropped++;
        return;
      }
      const grown = new Float64Array(Math.min(this.capacity, this.values.length * 2));
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.n++] = ms;
  }

  get count(): number {
    return this.n + this.dropped;
  }

  summary(): LatencySummary {
    const sorted = this.values.slice(0, this.n).sort();
    return {
      count: this.count,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: this.n ? sorted[this.n - 1] : null,
      mean: this.n ? sorted.reduce((a, b) => a + b, 0) / this.n : null,
    };
  }
}

export interface LatencySummary {
  readonly count: number;
  readonly p50: number | null;
  readonly p99: number | null;
  readonly max: number | null;
  readonly mean: number | null;
}

/** Nearest-rank percentile of an ascending array; null when empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function median(values: readonly number[]): number | null {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

export const elapsedMs = (startNs: bigint): number => Number(process.hrtime.bigint() - startNs) / 1e6;

export const round = (value: number, digits = 0): number => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

/** Deterministic PRNG (mulberry32): the same seed gives the same data set on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const pick = <T>(random: () => number, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)];

/** Samples this process's RSS; `peakMb` also trusts the kernel's high-water mark when it is higher. */
export class RssSampler {
  private peak = process.memoryUsage.rss();
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 25) {
    this.timer = setInterval(() => (this.peak = Math.max(this.peak, process.memoryUsage.rss())), intervalMs);
    this.timer.unref();
  }

  stop(): number {
    clearInterval(this.timer);
    this.peak = Math.max(this.peak, process.memoryUsage.rss());
    return round(this.peak / 1024 / 1024, 1);
  }
}
