import { Inject, Injectable, Optional } from '@nestjs/common';
import { EVENT_STORE, type EventStore, type NewEvent, type RecordedEvent } from '@ledger/event-store/core';
import { WrongExpectedVersion, isWrongExpectedVersion } from '@ledger/platform/errors';
import { LedgerMetrics, type CommandOutcome } from '@ledger/platform/metrics';
import {
  CURRENT_SCHEMA_VERSION,
  decide,
  evolve,
  initialState,
  taskStreamName,
  upcast,
  type TaskCommand,
  type TaskEvent,
  type TaskEventMetadata,
  type TaskState,
  type UnstampedTaskEvent,
} from '@ledger/tasks';
import type { CommandOptions, CommandResult } from './command-options';
import { eventId } from './event-ids';
import { TaskStateCache } from './task-state-cache';

/** Without If-Match a lost race is retried on fresh state; the domain decides again. */
const MAX_ATTEMPTS = 4;

interface LoadedStream {
  readonly state: TaskState;
  readonly revision: bigint;
  /** Position of the stream's last event; undefined when the stream does not exist. */
  readonly position?: string;
  /** The stream's events when it was read; empty when the state is a guess. */
  readonly events: readonly RecordedEvent[];
}

/**
 * read -> upcast -> fold -> decide -> append, the one path every task command takes. The read
 * and fold are skipped when this process already knows the task (see `TaskStateCache`).
 */
@Injectable()
export class TaskCommandExecutor {
  private readonly cache = new TaskStateCache();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    // Optional: the executor works the same without metrics (unit tests, the CLI).
    @Optional() private readonly metrics?: LedgerMetrics,
  ) {}

  async execute(command: TaskCommand, options: CommandOptions): Promise<CommandResult> {
    let outcome: CommandOutcome = 'appended';
    try {
      const result = await this.run(command, options, (o) => (outcome = o));
      this.metrics?.commandSucceeded(command.type, outcome);
      return result;
    } catch (e) {
      this.metrics?.commandFailed(command.type, e);
      throw e;
    }
  }

  private async run(
    command: TaskCommand,
    options: CommandOptions,
    note: (outcome: CommandOutcome) => void,
  ): Promise<CommandResult> {
    const stream = taskStreamName(command.data.taskId);
    // Guessed: from the cache, or "no stream yet" for a new task. Only an append may rest on a
    // guess (its expected revision is checked by the store); every other answer (unchanged, a
    // domain error, an If-Match mismatch) is given from a fresh read.
    let guess = options.idempotencyKey ? undefined : this.guess(stream, command);
    for (let attempt = 1; ;) {
      const loaded = guess ?? (await this.load(stream));
      const guessed = guess !== undefined;
      guess = undefined;
      if (!guessed) {
        const replayed = this.alreadyApplied(loaded, command, options);
        if (replayed) {
          note('replayed');
          return replayed;
        }
      }
      if (options.expectedRevision !== undefined && options.expectedRevision !== loaded.revision) {
        if (guessed) continue;
        // Decide on the state the client saw, or not at all.
        throw new WrongExpectedVersion(stream, String(options.expectedRevision), loaded.revision);
      }
      let decided: UnstampedTaskEvent[];
      try {
        decided = decide(command, loaded.state);
      } catch (e) {
        if (guessed) continue;
        throw e;
      }
      if (decided.length === 0) {
        if (guessed) continue;
        note('unchanged');
        return this.result(command, loaded.revision, loaded.position ?? '');
      }
      const events = decided.map((e, i) => this.stamp(e, i, command, options));
      try {
        const append = () =>
          this.store.append(stream, events, loaded.state.exists ? loaded.revision : 'no_stream');
        const appended = await (this.metrics ? this.metrics.timeAppend(append) : append());
        if (appended.deduplicated) this.cache.forget(stream);
        else this.remember(stream, loaded.state, events, appended);
        return this.result(command, appended.nextRevision, appended.position);
      } catch (e) {
        if (!isWrongExpectedVersion(e)) throw e;
        this.cache.forget(stream);
        // A guess that lost (another process appended) is decided again on a fresh read. With
        // If-Match the client's revision lost too, exactly as it would have against a fresh read.
        if (guessed && options.expectedRevision === undefined) continue;
        if (options.expectedRevision !== undefined || ++attempt > MAX_ATTEMPTS) throw e;
      }
    }
  }

  /** What to decide on without reading the stream, if anything. */
  private guess(stream: string, command: TaskCommand): LoadedStream | undefined {
    const cached = this.cache.get(stream);
    if (cached) return { ...cached, events: [] };
    // A new task's id is a fresh UUID (no Idempotency-Key here): its stream cannot exist yet,
    // and if it somehow does, the append's 'no_stream' says so.
    if (command.type === 'CreateTask') return { state: initialState, revision: -1n, events: [] };
    return undefined;
  }

  /** The state after an append: the decided events folded as they were stored. */
  private remember(
    stream: string,
    before: TaskState,
    events: readonly NewEvent[],
    appended: { readonly nextRevision: bigint; readonly position: string },
  ): void {
    try {
      let state = before;
      for (const e of events) state = evolve(state, e as unknown as TaskEvent);
      this.cache.remember(stream, { state, revision: appended.nextRevision, position: appended.position });
    } catch {
      // The append stands; the next command on this task reads its stream instead.
      this.cache.forget(stream);
    }
  }

  private async load(stream: string): Promise<LoadedStream> {
    const events = await this.store.readStream(stream);
    let state: TaskState = initialState;
    for (const recorded of events) state = evolve(state, upcast(recorded) as TaskEvent);
    const last = events[events.length - 1];
    const loaded = { state, revision: last ? last.revision : -1n, position: last?.position, events };
    if (last) this.cache.remember(stream, { state, revision: last.revision, position: last.position });
    return loaded;
  }

  /**
   * A request whose idempotency record was lost (its first run died after appending) is
   * recognised by its derived event ids and answered from the stream, not decided again.
   */
  private alreadyApplied(loaded: LoadedStream, command: TaskCommand, options: CommandOptions) {
    if (!options.idempotencyKey) return undefined;
    const firstId = eventId(command.metadata.tenantId, options.idempotencyKey, 0);
    const start = loaded.events.findIndex((e) => e.id === firstId);
    if (start < 0) return undefined;
    let end = start;
    while (
      end + 1 < loaded.events.length &&
      loaded.events[end + 1].id ===
        eventId(command.metadata.tenantId, options.idempotencyKey, end + 1 - start)
    ) {
      end++;
    }
    const lastOfRequest = loaded.events[end];
    return this.result(command, lastOfRequest.revision, lastOfRequest.position);
  }

  private stamp(
    event: UnstampedTaskEvent,
    index: number,
    command: TaskCommand,
    options: CommandOptions,
  ): NewEvent {
    const metadata: TaskEventMetadata = {
      tenantId: command.metadata.tenantId,
      actor: command.metadata.actor,
      correlationId: options.correlationId,
      causationId: options.causationId,
      occurredAt: command.metadata.now,
      schemaVersion: CURRENT_SCHEMA_VERSION[event.type],
      ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
    };
    return {
      id: eventId(command.metadata.tenantId, options.idempotencyKey, index),
      type: event.type,
      data: event.data,
      metadata: metadata as unknown as Record<string, unknown>,
    };
  }

  private result(command: TaskCommand, revision: bigint, position: string): CommandResult {
    return {
      id: command.data.taskId,
      revision: Number(revision),
      position,
      ...(command.type === 'AddComment' ? { commentId: command.data.commentId } : {}),
    };
  }
}
