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

/** Without If-Match a lost race is retried on fresh state; the domain decides again. */
const MAX_ATTEMPTS = 4;

interface LoadedStream {
  readonly state: TaskState;
  readonly revision: bigint;
  readonly last?: RecordedEvent;
  readonly events: readonly RecordedEvent[];
}

/** read -> upcast -> fold -> decide -> append, the one path every task command takes. */
@Injectable()
export class TaskCommandExecutor {
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
    for (let attempt = 1; ; attempt++) {
      const loaded = await this.load(stream);
      const replayed = this.alreadyApplied(loaded, command, options);
      if (replayed) {
        note('replayed');
        return replayed;
      }
      if (options.expectedRevision !== undefined && options.expectedRevision !== loaded.revision) {
        // Decide on the state the client saw, or not at all.
        throw new WrongExpectedVersion(stream, String(options.expectedRevision), loaded.revision);
      }
      const decided = decide(command, loaded.state);
      if (decided.length === 0) {
        note('unchanged');
        return this.result(command, loaded.revision, loaded.last?.position ?? '');
      }
      try {
        const append = () =>
          this.store.append(
            stream,
            decided.map((e, i) => this.stamp(e, i, command, options)),
            loaded.state.exists ? loaded.revision : 'no_stream',
          );
        const appended = await (this.metrics ? this.metrics.timeAppend(append) : append());
        return this.result(command, appended.nextRevision, appended.position);
      } catch (e) {
        if (!isWrongExpectedVersion(e) || options.expectedRevision !== undefined || attempt >= MAX_ATTEMPTS)
          throw e;
      }
    }
  }

  private async load(stream: string): Promise<LoadedStream> {
    const events = await this.store.readStream(stream);
    let state: TaskState = initialState;
    for (const recorded of events) state = evolve(state, upcast(recorded) as TaskEvent);
    const last = events[events.length - 1];
    return { state, revision: last ? last.revision : -1n, last, events };
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
