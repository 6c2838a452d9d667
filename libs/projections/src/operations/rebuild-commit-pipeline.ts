const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A run's folded pages, committed while the next ones fold: with a store whose commit runs
 * elsewhere (a worker thread, a server), the fold does not wait for each write.
 *
 * One commit at a time, in order: page N+1's documents were folded on top of page N's, so N+1 must
 * never land without N. The pages that queued up while a commit ran go together in the next
 * one (`commit` gets them all, oldest first): the caller's thread answers a store's reply only
 * between two pages of its fold, so one page per round trip would leave the store idle.
 *
 * The first failure (after the commit's own retries) ends the pipeline: the pages queued behind
 * it are dropped, the store keeps the last checkpoint that was committed, and `push`/`drain` throw
 * that failure. `depth` 1 is the plain loop: each push returns once its page is committed.
 */
export class CommitPipeline<Page> {
  private readonly waiting: Page[] = [];
  private queued = 0;
  /** Whether `run` is in its loop: set and cleared synchronously, unlike a promise (see push). */
  private committing = false;
  private running: Promise<void> = Promise.resolve();
  private failure?: { readonly error: unknown };
  private wake?: () => void;

  constructor(
    private readonly depth: number,
    private readonly commit: (pages: readonly Page[]) => Promise<void>,
    /** Checked before each commit: false (the lease was lost) drops the pages still queued. */
    private readonly proceed: () => boolean = () => true,
  ) {}

  /** Queues a page; returns when fewer than `depth` pages are queued or being committed. */
  async push(page: Page): Promise<void> {
    this.rethrow();
    this.waiting.push(page);
    this.queued++;
    // `run` may finish without awaiting (nothing to commit): a promise slot, assigned after it
    // returns, would then hold a settled promise and no later page would ever start a commit.
    if (!this.committing) this.running = this.run();
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
    await this.running;
    this.rethrow();
  }

  get pending(): number {
    return this.queued;
  }

  private async run(): Promise<void> {
    this.committing = true;
    try {
      while (this.waiting.length) {
        const pages = this.waiting.splice(0);
        try {
          if (!this.failure && this.proceed()) await this.commit(pages);
        } catch (error) {
          this.failure ??= { error };
        } finally {
          this.queued -= pages.length;
          this.wake?.();
        }
      }
    } finally {
      this.committing = false;
    }
  }

  private rethrow(): void {
    if (this.failure) throw this.failure.error;
  }
}
