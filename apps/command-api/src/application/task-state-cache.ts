import type { TaskState } from '@ledger/tasks';

/** A task as this process last decided or loaded it. */
export interface CachedTask {
  readonly state: TaskState;
  /** The stream's revision that `state` folds up to (its last event). */
  readonly revision: bigint;
  /** Position of that last event. */
  readonly position: string;
}

/** Enough for every task a busy tenant touches within minutes; a few MB of small objects. */
export const DEFAULT_TASK_CACHE_SIZE = 10_000;

/**
 * Bounded LRU of folded task states, so a command does not re-read and re-fold its stream. It is
 * only ever a guess: an append made from it carries the cached revision as its expected
 * revision, and the store refuses it if another process appended meanwhile (the executor then
 * reloads). A lower revision never replaces a higher one: two commands of this process on one
 * task may finish out of order.
 */
export class TaskStateCache {
  private readonly entries = new Map<string, CachedTask>();

  constructor(private readonly capacity = DEFAULT_TASK_CACHE_SIZE) {}

  get size(): number {
    return this.entries.size;
  }

  get(stream: string): CachedTask | undefined {
    const entry = this.entries.get(stream);
    if (entry) {
      // Map keeps insertion order: re-inserting makes this the most recently used.
      this.entries.delete(stream);
      this.entries.set(stream, entry);
    }
    return entry;
  }

  remember(stream: string, entry: CachedTask): void {
    const current = this.entries.get(stream);
    if (current && current.revision > entry.revision) return;
    this.entries.delete(stream);
    this.entries.set(stream, entry);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  forget(stream: string): void {
    this.entries.delete(stream);
  }
}
