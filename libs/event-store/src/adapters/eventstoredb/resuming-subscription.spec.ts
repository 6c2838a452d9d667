import type { RecordedEvent } from '../../core';
import { ResumingSubscription, type SubscriptionSource } from './resuming-subscription';

// The resume logic is ours, so it is tested with scripted sources standing in for server
// subscriptions. This checks no duplicate / no gap across drops; it says nothing about the
// EventStoreDB wiring, which only the contract suite against a real server can check.

const event = (n: number, type = 'TaskCreated'): RecordedEvent => ({
  id: `id-${n}`,
  streamName: `task-${n}`,
  revision: 0n,
  position: String(n),
  type,
  data: {},
  metadata: {},
  recordedAt: new Date(0),
});

type Step = RecordedEvent | Error | 'end' | 'hang';

class Scripted {
  readonly opened: (string | undefined)[] = [];
  stopped = 0;
  constructor(private readonly scripts: Step[][]) {}

  open = (from: string | undefined): SubscriptionSource => {
    this.opened.push(from);
    const steps = this.scripts.shift() ?? ['hang'];
    let release: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => (release = resolve));
    return {
      events: {
        next: async () => {
          const step = steps.shift() ?? 'hang';
          if (step === 'hang') {
            await stopped;
            return { done: true, value: undefined };
          }
          if (step === 'end') return { done: true, value: undefined };
          if (step instanceof Error) throw step;
          return { done: false, value: step };
        },
      },
      stop: async () => {
        this.stopped++;
        release();
      },
    };
  };
}

const dropped = () => Object.assign(new Error('14 UNAVAILABLE'), { code: 14 });
const denied = () => new Error('access denied');

const subscribe = (scripted: Scripted, from?: string, accept = (_: RecordedEvent) => true) =>
  new ResumingSubscription({
    from,
    open: scripted.open,
    accept,
    compare: (a, b) => Number(a) - Number(b),
    isRetryable: (e) => (e as { code?: number }).code === 14,
    mapError: (e) => new Error(`mapped: ${(e as Error).message}`),
    backoff: { initialMs: 1, maxMs: 4 },
  });

const take = async (sub: ResumingSubscription, n: number): Promise<string[]> => {
  const it = sub[Symbol.asyncIterator]();
  const out: string[] = [];
  while (out.length < n) {
    const r = await it.next();
    if (r.done) break;
    out.push(r.value.position);
  }
  return out;
};

describe('ResumingSubscription', () => {
  it('resubscribes after a drop from the last event seen, dropping repeats', async () => {
    const scripted = new Scripted([
      [event(1), event(2), dropped()],
      [event(2), event(3), 'end'],
      [event(3), event(4)],
    ]);
    const sub = subscribe(scripted);
    expect(await take(sub, 4)).toEqual(['1', '2', '3', '4']);
    expect(scripted.opened).toEqual([undefined, '2', '3']);
    await sub.close();
  });

  it('treats the start position as exclusive', async () => {
    const scripted = new Scripted([[event(5), event(6)]]);
    const sub = subscribe(scripted, '5');
    expect(await take(sub, 1)).toEqual(['6']);
    expect(scripted.opened).toEqual(['5']);
    await sub.close();
  });

  it('resumes after filtered-out events without delivering them', async () => {
    const scripted = new Scripted([[event(1), event(2, 'Other'), dropped()], [event(3)]]);
    const sub = subscribe(scripted, undefined, (e) => e.type === 'TaskCreated');
    expect(await take(sub, 2)).toEqual(['1', '3']);
    expect(scripted.opened).toEqual([undefined, '2']);
    await sub.close();
  });

  it('keeps retrying while the server stays down', async () => {
    const scripted = new Scripted([[dropped()], [dropped()], [dropped()], [event(1)]]);
    const sub = subscribe(scripted);
    expect(await take(sub, 1)).toEqual(['1']);
    expect(scripted.opened).toEqual([undefined, undefined, undefined, undefined]);
    await sub.close();
  });

  it('surfaces a failure that retrying cannot fix, mapped, and stops', async () => {
    const scripted = new Scripted([[event(1), denied()]]);
    const sub = subscribe(scripted);
    const it = sub[Symbol.asyncIterator]();
    await it.next();
    await expect(it.next()).rejects.toThrow('mapped: access denied');
    expect(await it.next()).toEqual({ done: true, value: undefined });
  });

  it('ends a waiting iteration on close and stops the server subscription', async () => {
    const scripted = new Scripted([['hang']]);
    const sub = subscribe(scripted);
    const it = sub[Symbol.asyncIterator]();
    const pending = it.next();
    await new Promise((r) => setTimeout(r, 5));
    await sub.close();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(scripted.stopped).toBe(1);
  });

  it('closes when the consumer breaks out of for-await', async () => {
    const scripted = new Scripted([[event(1), event(2)]]);
    const sub = subscribe(scripted);
    for await (const e of sub) {
      expect(e.position).toBe('1');
      break;
    }
    expect(scripted.stopped).toBe(1);
    expect(await sub[Symbol.asyncIterator]().next()).toEqual({ done: true, value: undefined });
  });
});
