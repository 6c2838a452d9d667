import type { EventStore } from '@ledger/event-store';
import { createEventStore } from '@ledger/event-store/event-store.module';
import { loadConfig, type LedgerConfig } from '@ledger/platform/config';
import { ValidationError } from '@ledger/platform/errors';
import type { Projection, ProjectionStore, ReadDocument } from '@ledger/projections';
import { allProjections } from '@ledger/read-models/projections';
import { createProjectionStore, createThreadedProjectionStore } from '@ledger/read-models/read-models.module';
import { UsageError, type CliIo } from './cli-io';

/**
 * The stores and projections one CLI run works on, opened on first use (a usage error opens
 * nothing) and closed at the end. Configured by the same environment as the apps.
 */
export class CliContext {
  private events?: EventStore;
  private readModels?: ProjectionStore;
  private threadedReadModels?: ProjectionStore;
  readonly config: LedgerConfig;
  readonly abort = new AbortController();

  constructor(
    readonly io: CliIo,
    readonly projections: readonly Projection<ReadDocument>[] = allProjections,
  ) {
    this.config = cliConfig(io.env);
  }

  get eventStore(): EventStore {
    return (this.events ??= createEventStore(this.config));
  }

  get store(): ProjectionStore {
    return (this.readModels ??= createProjectionStore(this.config));
  }

  /** The embedded read models on a thread of their own (`rebuild --store-thread`); not for MongoDB. */
  get threadedStore(): ProjectionStore {
    this.threadedReadModels ??= createThreadedProjectionStore(this.config);
    if (!this.threadedReadModels)
      throw new UsageError('--store-thread is for the embedded store; MONGO_URL is set');
    return this.threadedReadModels;
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** `<name>` or `--all`, exactly one of them. */
  select(name: string | undefined, all: boolean | undefined): Projection<ReadDocument>[] {
    if (all && name) throw new UsageError('give a projection name or --all, not both');
    if (all) return [...this.projections];
    if (!name) throw new UsageError(`name a projection (${this.names()}) or pass --all`);
    return [this.projection(name)];
  }

  projection(name: string): Projection<ReadDocument> {
    const p = this.projections.find((x) => x.name === name);
    if (!p) throw new UsageError(`unknown projection "${name}"; known: ${this.names()}`);
    return p;
  }

  private names(): string {
    return this.projections.map((p) => p.name).join(', ');
  }

  async close(): Promise<void> {
    await Promise.allSettled([
      this.events?.close(),
      this.readModels?.close(),
      this.threadedReadModels?.close(),
    ]);
  }
}

/**
 * The apps' configuration, minus what only an HTTP server needs: the CLI serves no requests, so
 * production's "API keys required" rule must not stop an operator's repair.
 */
function cliConfig(env: NodeJS.ProcessEnv): LedgerConfig {
  try {
    return loadConfig({ ...env, NODE_ENV: env.NODE_ENV === 'production' ? 'cli' : env.NODE_ENV });
  } catch (e) {
    if (e instanceof ValidationError) {
      throw new UsageError(
        `invalid configuration: ${e.fields.map((f) => `${f.field}: ${f.problems.join(', ')}`).join('; ')}`,
      );
    }
    throw e;
  }
}
