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

type Entry = CachedTask & { readonly weight: number };

/**
 * Bounded, approximately LRU cache of folded task states, so a command does not re-read and
 * re-fold its stream. It is only ever a guess: an append made from it carries the cached
 * revision as its expected revision, and the store refuses it if another process appended
 * meanwhile (the executor then reloads). A lower revision never replaces a higher one: two
 * commands of this process on one task may finish out of order.
 *
 * Two generations instead of one Map in use order: when the young one is full it becomes the
 * old one and the old one is dropped whole; a hit in the old one moves the entry back to the
 * young. Evicting a Map's first key one at a time makes V8 scan the deleted slots before it on
 * every eviction; this does no per-entry eviction at all.
 */
export class TaskStateCache {
  private young = new Map<string, Entry>();
  private old = new Map<string, Entry>();
  private youngChars = 0;
  private readonly generationSize: number;
  private readonly generationChars: number;

  constructor(capacity = DEFAULT_TASK_CACHE_SIZE, maxChars = DEFAULT_TASK_CACHE_CHARS) {
    this.generationSize = Math.max(1, Math.floor(capacity / 2));
    this.generationChars = Math.max(1, Math.floor(maxChars / 2));
  }

  get size(): number {
    return this.young.size + this.old.size;
  }

  get(stream: string): CachedTask | undefined {
    const young = this.young.get(stream);
    if (young) return young;
    const old = this.old.get(stream);
    if (old) {
      this.old.delete(stream);
      this.put(stream, old);
    }
    return old;
  }

  remember(stream: string, entry: CachedTask): void {
    const current = this.young.get(stream) ?? this.old.get(stream);
    if (current && current.revision > entry.revision) return;
    this.forget(stream);
    this.put(stream, { ...entry, weight: weightOf(entry) });
  }

  forget(stream: string): void {
    const young = this.young.get(stream);
    if (young) {
      this.young.delete(stream);
      this.youngChars -= young.weight;
      return;
    }
    this.old.delete(stream);
  }

  private put(stream: string, entry: Entry): void {
    if (this.young.size > 0 && this.youngChars + entry.weight > this.generationChars) this.rotate();
    this.young.set(stream, entry);
    this.youngChars += entry.weight;
    if (this.young.size >= this.generationSize) this.rotate();
  }

  private rotate(): void {
    this.old = this.young;
    this.young = new Map();
    this.youngChars = 0;
  }
}
