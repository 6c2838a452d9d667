import type { BenchSizes } from './bench-options';
import type { EmmettSqlite } from './peers';
import type { Metric } from './report';
import type { ServerLauncher } from './ledger-server';

/** What every scenario gets: sizes, a scratch folder, and where to put its figures. */
export interface ScenarioContext {
  readonly sizes: BenchSizes;
  /** When the whole run should be over (epoch ms): optional work is skipped past it. */
  readonly deadline: number;
  /** Seconds kept for the scenarios after the queries (cold start). */
  readonly reserveSeconds: number;
  /** A fresh temporary folder for this run; removed at the end. */
  readonly workDir: string;
  readonly log: (line: string) => void;
  readonly metric: (metric: Metric) => void;
  readonly skip: (scenario: string, reason: string) => void;
  readonly detail: (scenario: string, value: unknown) => void;
  /** Undefined when the peer could not be loaded (the reason is in `skipped`). */
  readonly emmett?: EmmettSqlite;
  readonly server: ServerLauncher;
  /** Set by `--profile`: child processes write `--cpu-prof` files here. */
  readonly profileDir?: string;
  /** The script cold start times (`dist/apps/all-in-one/src/main.js`; a stub in the smoke test). */
  readonly coldStartEntry: string;
  /** Run the rebuild in its own process so its peak RSS is its own (false in the smoke test). */
  readonly isolateRebuild: boolean;
}
