import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { commandFailureOutcome, storeOutage, type CommandOutcome } from './outcomes';

export type StoreName = 'event_store' | 'read_store';
export type StoreErrorSource = 'http' | 'projector';

/** Work done just before a scrape is rendered (lag, parked counts, readiness). */
export type ScrapeHook = () => Promise<void>;

// Latency budgets of the API sit between 10 ms and 1 s: buckets are dense there.
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const APPEND_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];
const BATCH_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

/**
 * Every metric the ledger exports, on a registry of its own per app instance: the prom-client
 * default registry is a process-wide singleton, so two apps in one process (the e2e suites)
 * would share, and fail to re-register, their metrics. Names are the contract of ops/alerts.yml.
 */
export class LedgerMetrics {
  readonly registry = new Registry();
  private readonly hooks: ScrapeHook[] = [];
  private processMetrics = false;

  readonly httpDuration = new Histogram({
    name: 'ledger_http_request_duration_seconds',
    help: 'HTTP request duration by method, route template and status code',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });
  readonly httpInFlight = new Gauge({
    name: 'ledger_http_requests_in_flight',
    help: 'HTTP requests being served (a graceful shutdown waits for this to reach 0)',
    registers: [this.registry],
  });
  readonly commands = new Counter({
    name: 'ledger_commands_total',
    help: 'Task commands by type and outcome (appended, unchanged, replayed, conflict, rejected, invalid, not_found, unavailable, error)',
    labelNames: ['type', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly appendDuration = new Histogram({
    name: 'ledger_event_store_append_duration_seconds',
    help: 'Event store append latency by outcome (ok, conflict, unavailable, error)',
    labelNames: ['outcome'] as const,
    buckets: APPEND_BUCKETS,
    registers: [this.registry],
  });
  readonly idempotentReplays = new Counter({
    name: 'ledger_idempotent_replays_total',
    help: 'Requests answered from an earlier run with the same Idempotency-Key (source: record = stored response, stream = recognised from event ids)',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });
  readonly storeErrors = new Counter({
    name: 'ledger_store_errors_total',
    help: 'Operations that failed because a store could not serve (driver outage, lock held past its timeout)',
    labelNames: ['store', 'source'] as const,
    registers: [this.registry],
  });
  readonly healthCheckUp = new Gauge({
    name: 'ledger_health_check_up',
    help: 'Readiness checks of this process at the last scrape: 1 up, 0 down (eventStore, readStore, projector)',
    labelNames: ['check'] as const,
    registers: [this.registry],
  });

  readonly projectionLagEvents = new Gauge({
    name: 'ledger_projection_lag_events',
    help: 'Handled events after the projection checkpoint (counted up to 10000, then capped)',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });
  readonly projectionLagSeconds = new Gauge({
    name: 'ledger_projection_lag_seconds',
    help: 'Age of the oldest event the projection has not applied yet; 0 when caught up',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });
  readonly projectionBatchDuration = new Histogram({
    name: 'ledger_projection_batch_duration_seconds',
    help: 'Time from loading a batch of documents to committing them with the checkpoint',
    labelNames: ['projection'] as const,
    buckets: BATCH_BUCKETS,
    registers: [this.registry],
  });
  readonly eventsProjected = new Counter({
    name: 'ledger_projection_events_projected_total',
    help: 'Events folded into read-model documents by the live workers of this process',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });
  readonly eventsParked = new Counter({
    name: 'ledger_projection_events_parked_total',
    help: 'Events parked because their fold threw (by this process since start)',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });
  readonly parkedEvents = new Gauge({
    name: 'ledger_projection_parked_events',
    help: 'Parked events waiting in the store for `ledger parked retry|discard`',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });
  readonly projectionRetries = new Counter({
    name: 'ledger_projection_retries_total',
    help: 'Transient failures (store unavailable) a projection worker retried with backoff',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });
  readonly projectionState = new Gauge({
    name: 'ledger_projection_state',
    help: 'Live worker state: 1 for the current state (starting, running, retrying, stopping, stopped, failed)',
    labelNames: ['projection', 'state'] as const,
    registers: [this.registry],
  });
  readonly rebuildInProgress = new Gauge({
    name: 'ledger_projection_rebuild_in_progress',
    help: 'Whether a blue/green rebuild (shadow target) exists for the projection, whoever runs it',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });
  readonly rebuildRemaining = new Gauge({
    name: 'ledger_projection_rebuild_remaining_events',
    help: 'Handled events after the rebuild shadow checkpoint (capped at 10000); 0 when none runs',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  constructor() {
    // Series that alerts rate() over exist from the first scrape, at 0: an absent series would
    // make `rate(...) > 0` silently empty rather than false until the first error.
    for (const store of ['event_store', 'read_store']) {
      for (const source of ['http', 'projector']) this.storeErrors.inc({ store, source }, 0);
    }
    for (const source of ['record', 'stream']) this.idempotentReplays.inc({ source }, 0);
  }

  /** Process CPU, memory, event loop lag: only for real processes (they install process-wide observers). */
  collectProcessMetrics(): void {
    if (this.processMetrics) return;
    this.processMetrics = true;
    collectDefaultMetrics({ register: this.registry, prefix: 'ledger_' });
  }

  onScrape(hook: ScrapeHook): void {
    this.hooks.push(hook);
  }

  /** The exposition text, after every scrape hook has had its turn (a failing hook keeps its last values). */
  async render(): Promise<string> {
    await Promise.all(this.hooks.map((h) => h().catch(() => undefined)));
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  commandSucceeded(type: string, outcome: CommandOutcome): void {
    this.commands.inc({ type, outcome });
    if (outcome === 'replayed') this.idempotentReplays.inc({ source: 'stream' });
  }

  commandFailed(type: string, error: unknown): void {
    this.commands.inc({ type, outcome: commandFailureOutcome(error) });
  }

  /** Times an append and labels it by how it ended; rethrows whatever it threw. */
  async timeAppend<T>(append: () => Promise<T>): Promise<T> {
    const end = this.appendDuration.startTimer();
    try {
      const result = await append();
      end({ outcome: 'ok' });
      return result;
    } catch (e) {
      const outcome = commandFailureOutcome(e);
      end({ outcome: outcome === 'conflict' || outcome === 'unavailable' ? outcome : 'error' });
      throw e;
    }
  }

  idempotentReplay(): void {
    this.idempotentReplays.inc({ source: 'record' });
  }

  /** Counts `error` when it is a store outage (see `storeOutage`); true when it was one. */
  storeError(store: StoreName, source: StoreErrorSource, error: unknown): boolean {
    if (!storeOutage(error)) return false;
    this.storeErrors.inc({ store, source });
    return true;
  }
}
