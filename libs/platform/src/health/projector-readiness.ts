import type { ReadinessCheck } from './health.controller';

interface WorkerView {
  readonly projection: string;
  readonly state: string;
  readonly lastError?: string;
}

/** Started = a live worker per projection that runs (or retries a store outage with backoff). */
const STARTED = new Set(['running', 'retrying']);

/** Where the projector runs, it must have started: a failed or stopped worker serves stale reads. */
export const projectorReadiness = (runner: { progress(): WorkerView[] }): ReadinessCheck => ({
  name: 'projector',
  check: async () => {
    const workers = runner.progress();
    if (workers.length === 0) throw new Error('projector not started');
    const bad = workers.filter((w) => !STARTED.has(w.state));
    if (bad.length > 0) throw new Error(bad.map((w) => `${w.projection} ${w.state}`).join(', '));
  },
});
