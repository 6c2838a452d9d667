import { watchErrors } from './store-instrumentation';

class FakeStore {
  private readonly rows = [1, 2];
  calls = 0;
  async read(): Promise<number[]> {
    this.calls++;
    return this.rows;
  }
  async fail(): Promise<void> {
    throw Object.assign(new Error('busy'), { code: 'SQLITE_BUSY' });
  }
  failNow(): void {
    throw new Error('sync');
  }
  subscribe(failAfter: number) {
    const rows = this.rows;
    return {
      closed: false,
      async close() {
        this.closed = true;
      },
      async *[Symbol.asyncIterator]() {
        for (const [i, r] of rows.entries()) {
          if (i === failAfter) throw new Error('dropped');
          yield r;
        }
      },
    };
  }
}

describe('watchErrors', () => {
  it('passes results through with `this` intact and reports each failure once, rethrown as is', async () => {
    const seen: string[] = [];
    const store = watchErrors(new FakeStore(), (e, method) =>
      seen.push(`${method}: ${(e as Error).message}`),
    );
    expect(await store.read()).toEqual([1, 2]);
    expect(store.calls).toBe(1);
    await expect(store.fail()).rejects.toMatchObject({ code: 'SQLITE_BUSY' });
    expect(() => store.failNow()).toThrow('sync');
    expect(seen).toEqual(['fail: busy', 'failNow: sync']);
  });

  it('sees failures while iterating a returned subscription, which still closes', async () => {
    const seen: string[] = [];
    const store = watchErrors(new FakeStore(), (e, method) =>
      seen.push(`${method}: ${(e as Error).message}`),
    );
    const subscription = store.subscribe(1);
    const got: number[] = [];
    await expect(
      (async () => {
        for await (const r of subscription) got.push(r);
      })(),
    ).rejects.toThrow('dropped');
    expect(got).toEqual([1]);
    expect(seen).toEqual(['subscribe: dropped']);
    await subscription.close();
    expect(subscription.closed).toBe(true);
  });
});
