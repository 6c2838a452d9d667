import type { TaskState } from '@ledger/tasks';

/** A task as this process last decided or loaded it. */
export interface CachedTask {
  readonly state: TaskState;
  /** The stream's revision that `state` folds up to (its last event). */
  readonly revision: bigint;
  /** Position of that last event. */
  readonly position: string;
}

/** Enough for every task a busy tenant touches within minutes. */
export const DEFAULT_TASK_CACHE_SIZE = 10_000;
/**
 * And at most this many characters of task text (about 16 MB of strings): a description may be
 * 10,000 characters, and 10,000 of those would otherwise hold 200 MB.
 */
export const DEFAULT_TASK_CACHE_CHARS = 8_000_000;

/** Roughly what an entry holds, in characters: its text fields plus a fixed part. */
const weightOf = (entry: CachedTask): number => {
  const s = entry.state;
  if (!s.exists) return 100;
  let chars = 300 + s.title.length + (s.description?.length ?? 0);
  for (const label of s.labels) chars += label.length;
  return chars;
};

/**
 * Bounded LRU of folded task states, so a command does not re-read and re-fold its stream. It is
 * only ever a guess: an append made from it carries the cached revision as its expected
 * revision, and the store refuses it if another process appended meanwhile (the executor then
 * reloads). A lower revision never replaces a higher one: two commands of this process on one
 * task may finish out of order.
 */
export class TaskStateCache {
  private readonly entries = new Map<string, CachedTask & { readonly weight: number }>();
  private chars = 0;

  constructor(
    private readonly capacity = DEFAULT_TASK_CACHE_SIZE,
    private readonly maxChars = DEFAULT_TASK_CACHE_CHARS,
  ) {}

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
    this.forget(stream);
    const weight = weightOf(entry);
    this.entries.set(stream, { ...entry, weight });
    this.chars += weight;
    // Least recently used first: a Map iterates in insertion order.
    for (const [oldest, e] of this.entries) {
      if (this.entries.size <= this.capacity && this.chars <= this.maxChars) break;
      this.entries.delete(oldest);
      this.chars -= e.weight;
    }
  }

  forget(stream: string): void {
    const entry = this.entries.get(stream);
    if (!entry) return;
    this.entries.delete(stream);
    this.chars -= entry.weight;
  }
}
