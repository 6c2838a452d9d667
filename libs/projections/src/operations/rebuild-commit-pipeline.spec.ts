import { CommitPipeline } from './rebuild-commit-pipeline';

/** A commit that lands when the test says so, recording the order pages start and land in. */
function gatedCommits() {
  const started: number[] = [];
  const landed: number[] = [];
  const gates = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  const commit = (page: number) =>
    new Promise<void>((resolve, reject) => {
      started.push(page);
      gates.set(page, {
        resolve: () => {
          landed.push(page);
          resolve();
        },
        reject,
      });
    });
  const until = async (cond: () => boolean) => {
    while (!cond()) await new Promise((r) => setImmediate(r));
  };
  return { started, landed, gates, commit, until };
}

describe('CommitPipeline', () => {
  it('lets the caller run ahead by depth - 1 pages, and commits one page at a time, in order', async () => {
    const c = gatedCommits();
    const pipeline = new CommitPipeline<number>(3, c.commit);
    await pipeline.push(1);
    await pipeline.push(2); // returned with 1 and 2 queued: the fold goes on
    let third = false;
    const pushed = pipeline.push(3).then(() => (third = true));
    await c.until(() => c.started.length === 1);
    expect(c.started).toEqual([1]); // 2 waits for 1, though queued
    expect(third).toBe(false); // 3 pages queued: the caller waits
    c.gates.get(1)!.resolve();
    await pushed;
    expect(third).toBe(true);
    await c.until(() => c.started.length === 2);
    expect(c.started).toEqual([1, 2]);
    c.gates.get(2)!.resolve();
    await c.until(() => c.started.length === 3);
    c.gates.get(3)!.resolve();
    await pipeline.drain();
    expect(c.landed).toEqual([1, 2, 3]);
    expect(pipeline.pending).toBe(0);
  });

  it('with depth 1, returns from each push only once its page has landed', async () => {
    const landed: number[] = [];
    const pipeline = new CommitPipeline<number>(1, async (p) => {
      await new Promise((r) => setTimeout(r, 5));
      landed.push(p);
    });
    for (const p of [1, 2, 3]) {
      await pipeline.push(p);
      expect(landed).toEqual([1, 2, 3].slice(0, p));
    }
  });

  it('drops every page behind a failed commit and throws the failure from push and drain', async () => {
    const c = gatedCommits();
    const pipeline = new CommitPipeline<number>(4, c.commit);
    for (const p of [1, 2, 3]) await pipeline.push(p);
    await c.until(() => c.started.length === 1);
    c.gates.get(1)!.resolve();
    await c.until(() => c.started.length === 2);
    c.gates.get(2)!.reject(new Error('disk full'));
    await expect(pipeline.drain()).rejects.toThrow('disk full');
    expect(c.started).toEqual([1, 2]); // 3 was never sent
    expect(c.landed).toEqual([1]);
    await expect(pipeline.push(4)).rejects.toThrow('disk full');
    expect(c.started).toEqual([1, 2]);
  });

  it('wakes a caller waiting for room when a commit fails', async () => {
    const c = gatedCommits();
    const pipeline = new CommitPipeline<number>(2, c.commit);
    await pipeline.push(1);
    const waiting = pipeline.push(2);
    await c.until(() => c.started.length === 1);
    c.gates.get(1)!.reject(new Error('corrupt'));
    await expect(waiting).rejects.toThrow('corrupt');
  });

  it('drops the queued pages once proceed() says no (a lost lease)', async () => {
    const c = gatedCommits();
    let proceed = true;
    const pipeline = new CommitPipeline<number>(4, c.commit, () => proceed);
    for (const p of [1, 2, 3]) await pipeline.push(p);
    await c.until(() => c.started.length === 1);
    proceed = false;
    c.gates.get(1)!.resolve();
    await pipeline.drain();
    expect(c.started).toEqual([1]);
    expect(c.landed).toEqual([1]);
  });
});
