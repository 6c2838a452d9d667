import { CommitPipeline } from './rebuild-commit-pipeline';

/** Commits that land when the test says so, recording which pages each one carried. */
function gatedCommits() {
  const started: number[][] = [];
  const landed: number[] = [];
  const gates: { resolve: () => void; reject: (e: Error) => void }[] = [];
  const commit = (pages: readonly number[]) =>
    new Promise<void>((resolve, reject) => {
      started.push([...pages]);
      gates.push({
        resolve: () => {
          landed.push(...pages);
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
  it('lets the caller run ahead, commits one batch at a time, and sends the pages that queued meanwhile together', async () => {
    const c = gatedCommits();
    const pipeline = new CommitPipeline<number>(4, c.commit);
    await pipeline.push(1);
    await pipeline.push(2);
    await pipeline.push(3); // returned with 3 pages queued: the fold goes on
    await c.until(() => c.started.length === 1);
    expect(c.started).toEqual([[1]]); // 2 and 3 wait for 1
    let fourth = false;
    const pushed = pipeline.push(4).then(() => (fourth = true));
    await new Promise((r) => setImmediate(r));
    expect(fourth).toBe(false); // 4 pages queued: the caller waits
    c.gates[0].resolve();
    await pushed;
    await c.until(() => c.started.length === 2);
    expect(c.started[1]).toEqual([2, 3, 4]);
    c.gates[1].resolve();
    await pipeline.drain();
    expect(c.landed).toEqual([1, 2, 3, 4]);
    expect(pipeline.pending).toBe(0);
  });

  it('with depth 1, returns from each push only once its page has landed', async () => {
    const landed: number[] = [];
    const pipeline = new CommitPipeline<number>(1, async (pages) => {
      await new Promise((r) => setTimeout(r, 5));
      landed.push(...pages);
    });
    for (const p of [1, 2, 3]) {
      await pipeline.push(p);
      expect(landed).toEqual([1, 2, 3].slice(0, p));
    }
  });

  it('drops every page behind a failed commit and throws the failure from push and drain', async () => {
    const c = gatedCommits();
    const pipeline = new CommitPipeline<number>(4, c.commit);
    await pipeline.push(1);
    await c.until(() => c.started.length === 1);
    await pipeline.push(2);
    await pipeline.push(3);
    c.gates[0].reject(new Error('disk full'));
    await expect(pipeline.drain()).rejects.toThrow('disk full');
    expect(c.started).toEqual([[1]]); // 2 and 3 were never sent
    expect(c.landed).toEqual([]);
    await expect(pipeline.push(4)).rejects.toThrow('disk full');
    expect(c.started).toEqual([[1]]);
    expect(pipeline.pending).toBe(0);
  });

  it('wakes a caller waiting for room when a commit fails', async () => {
    const c = gatedCommits();
    const pipeline = new CommitPipeline<number>(2, c.commit);
    await pipeline.push(1);
    const waiting = pipeline.push(2);
    await c.until(() => c.started.length === 1);
    c.gates[0].reject(new Error('corrupt'));
    await expect(waiting).rejects.toThrow('corrupt');
  });

  it('drops the queued pages once proceed() says no (a lost lease)', async () => {
    const c = gatedCommits();
    let proceed = true;
    const pipeline = new CommitPipeline<number>(4, c.commit, () => proceed);
    await pipeline.push(1);
    await c.until(() => c.started.length === 1);
    await pipeline.push(2);
    proceed = false;
    c.gates[0].resolve();
    await pipeline.drain();
    expect(c.started).toEqual([[1]]);
    expect(c.landed).toEqual([1]);
  });

  it('keeps dropping pages once proceed() says no, and never leaves a caller waiting', async () => {
    const c = gatedCommits();
    const pipeline = new CommitPipeline<number>(2, c.commit, () => false);
    const outcome = (async () => {
      for (const p of [1, 2, 3, 4]) await pipeline.push(p);
      await pipeline.drain();
      return 'returned';
    })();
    const hung = new Promise((r) => setTimeout(() => r('hung'), 500));
    expect(await Promise.race([outcome, hung])).toBe('returned');
    expect(c.started).toEqual([]);
    expect(pipeline.pending).toBe(0);
  });
});
