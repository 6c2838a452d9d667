export type ScenarioName = 'append' | 'commands' | 'read-your-writes' | 'rebuild' | 'queries' | 'cold-start';
export const SCENARIOS: readonly ScenarioName[] = [
  'append',
  'commands',
  'read-your-writes',
  'rebuild',
  'queries',
  'cold-start',
];

/** Every loop is bounded twice: by a count and by seconds, whichever comes first. */
export interface BenchSizes {
  /** The whole run's budget; optional work (the 1M-task read model) is skipped if it would not fit. */
  readonly budgetSeconds: number;
  readonly append: {
    readonly events: number;
    readonly emmettEvents: number;
    readonly streams: number;
    readonly maxSeconds: number;
  };
  readonly commands: {
    readonly poolTasks: number;
    readonly connections: number;
    readonly seconds: number;
    readonly maxRequests: number;
  };
  readonly readYourWrites: { readonly seconds: number; readonly probes: number };
  readonly rebuild: {
    readonly tasks: number;
    readonly eventsPerTask: number;
    readonly emmettMaxEvents: number;
    readonly emmettMaxSeconds: number;
  };
  readonly queries: {
    readonly connections: number;
    /** Per query kind, in total over its rounds. */
    readonly secondsPerQuery: number;
    /**
     * Every kind runs once per round, kinds interleaved, and its rounds are merged: a noisy
     * stretch of this shared machine then lands on every kind alike, not on whichever ran then.
     */
    readonly rounds: number;
    readonly maxRequestsPerQuery: number;
    /** A second, bigger read model (one or two events per task); 0 skips it. */
    readonly bigTasks: number;
  };
  readonly coldStart: { readonly runs: number; readonly timeoutSeconds: number };
}

export const FULL: BenchSizes = {
  budgetSeconds: 14 * 60,
  append: { events: 20_000, emmettEvents: 3_000, streams: 1_000, maxSeconds: 20 },
  commands: { poolTasks: 2_000, connections: 50, seconds: 20, maxRequests: 500_000 },
  readYourWrites: { seconds: 15, probes: 2_000 },
  rebuild: { tasks: 100_000, eventsPerTask: 10, emmettMaxEvents: 100_000, emmettMaxSeconds: 30 },
  queries: {
    connections: 50,
    secondsPerQuery: 3,
    rounds: 3,
    maxRequestsPerQuery: 200_000,
    bigTasks: 1_000_000,
  },
  coldStart: { runs: 5, timeoutSeconds: 30 },
};

/** `--quick`: every scenario, small, in about a minute. */
export const QUICK: BenchSizes = {
  budgetSeconds: 110,
  append: { events: 3_000, emmettEvents: 300, streams: 100, maxSeconds: 3 },
  commands: { poolTasks: 200, connections: 50, seconds: 4, maxRequests: 100_000 },
  readYourWrites: { seconds: 3, probes: 300 },
  rebuild: { tasks: 2_000, eventsPerTask: 10, emmettMaxEvents: 20_000, emmettMaxSeconds: 3 },
  queries: { connections: 50, secondsPerQuery: 0.5, rounds: 1, maxRequestsPerQuery: 20_000, bigTasks: 0 },
  coldStart: { runs: 3, timeoutSeconds: 30 },
};

/** The smoke test's sizes: proves every code path runs, measures nothing. */
export const TINY: BenchSizes = {
  budgetSeconds: 60,
  append: { events: 50, emmettEvents: 0, streams: 5, maxSeconds: 1 },
  commands: { poolTasks: 10, connections: 4, seconds: 0.5, maxRequests: 200 },
  readYourWrites: { seconds: 0.5, probes: 10 },
  rebuild: { tasks: 20, eventsPerTask: 10, emmettMaxEvents: 0, emmettMaxSeconds: 0 },
  queries: { connections: 4, secondsPerQuery: 0.1, rounds: 2, maxRequestsPerQuery: 100, bigTasks: 0 },
  coldStart: { runs: 1, timeoutSeconds: 10 },
};
