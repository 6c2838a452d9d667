const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A run's folded pages, committed one after the other while the next ones fold: with a store whose
 * commit runs elsewhere (a worker thread, a server), the fold does not wait for each write.
 *
 * Commits stay strictly in order, each sent only when the one before succeeded: page N+1's
 * documents were folded on top of page N's, so N+1 must never land without N. The first failure
 * (after the commit's own retries) ends the pipeline: the pages queued behind it are dropped,
 * the store keeps the last checkpoint that was committed, and `push`/`drain` throw that failure.
 * `depth` 1 is the plain loop: each push returns once its page is committed.
 */
export class CommitPipeline<Page> {
  private tail: Promise<void> = Promise.resolve();
  private queued = 0;
  private failure?: { readonly error: unknown };
  private wake?: () => void;

  constructor(
    private readonly depth: number,
    private readonly commit: (page: Page) => Promise<void>,
    /** Checked before each commit: false (the lease was lost) drops the pages still queued. */
    private readonly proceed: () => boolean = () => true,
  ) {}

  /** Queues a page; returns when fewer than `depth` pages are queued. */
  async push(page: Page): Promise<void> {
    this.rethrow();
    this.queued++;
    this.tail = this.tail.then(async () => {
      try {
        if (!this.failure && this.proceed()) await this.commit(page);
      } catch (error) {
        this.failure ??= { error };
      } finally {
        this.queued--;
        this.wake?.();
      }
    });
    if (this.queued >= this.depth) {
      while (this.queued >= this.depth && !this.failure) await new Promise<void>((r) => (this.wake = r));
    } else {
      // The fold runs on already-resolved promises: without a turn of the event loop here, the
      // reply that ends a commit (a message) would wait for the whole pass, and so would the next.
      await turn();
    }
    this.rethrow();
  }

  /** Waits until every queued page is committed; throws the failure that ended the pipeline. */
  async drain(): Promise<void> {
    await this.tail;
    this.rethrow();
  }

  get pending(): number {
    return this.queued;
  }

  private rethrow(): void {
    if (this.failure) throw this.failure.error;
  }
}
