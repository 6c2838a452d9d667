/**
 * Wraps a store so that every failure of one of its methods is reported to `onError` (then
 * rethrown unchanged), including failures while iterating an async iterable it returned (a
 * subscription). The caller's logic is untouched: this only watches. `this` stays the target.
 */
export function watchErrors<T extends object>(
  target: T,
  onError: (error: unknown, method: string) => void,
): T {
  const report = (method: string) => (e: unknown) => {
    onError(e, method);
    throw e;
  };
  return new Proxy(target, {
    get(t, property, receiver) {
      const value: unknown = Reflect.get(t, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      return (...args: unknown[]) => {
        let result: unknown;
        try {
          result = (value as (...a: unknown[]) => unknown).apply(t, args);
        } catch (e) {
          return report(property)(e);
        }
        if (result instanceof Promise) return result.catch(report(property));
        if (isAsyncIterable(result)) return watchIteration(result, report(property));
        return result;
      };
    },
  });
}

const isAsyncIterable = (v: unknown): v is AsyncIterable<unknown> =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';

function watchIteration<T extends AsyncIterable<unknown>>(iterable: T, report: (e: unknown) => never): T {
  return new Proxy(iterable, {
    get(t, property, receiver) {
      const value: unknown = Reflect.get(t, property, receiver);
      if (property !== Symbol.asyncIterator || typeof value !== 'function') {
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(t) : value;
      }
      return () => {
        const iterator = (value as () => AsyncIterator<unknown>).call(t);
        return {
          next: (...a: [] | [unknown]) => iterator.next(...a).catch(report),
          return: iterator.return ? (v?: unknown) => iterator.return!(v) : undefined,
          throw: iterator.throw ? (e?: unknown) => iterator.throw!(e) : undefined,
          [Symbol.asyncIterator]() {
            return this;
          },
        };
      };
    },
  });
}
