import { LatencyRecorder, round, type LatencySummary } from './stats';

/** One request of a load run; `kind` groups its latency in the result. */
export interface LoadRequest {
  readonly kind: string;
  readonly method: 'GET' | 'POST' | 'PATCH';
  readonly path: string;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface LoadOptions {
  /** Reads the server's CPU time, to report CPU ms per request beside the throughput. */
  readonly serverCpuMs?: () => number | undefined;
  readonly url: string;
  readonly connections: number;
  readonly seconds: number;
  /** Upper bound on requests, whatever the duration. */
  readonly maxRequests: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** The next request of a connection (called when it is free to send). */
  next(): LoadRequest;
  /** Every response, with the request it answers. */
  onResponse?(request: LoadRequest, status: number, body: string): void;
  /** Also records every latency here (to merge several runs' latencies exactly). */
  readonly alsoRecord?: LatencyRecorder;
}

export interface LoadResult {
  readonly requests: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly latency: LatencySummary;
  readonly byKind: Record<string, LatencySummary>;
  readonly statusCodes: Record<string, number>;
  /** Connection errors and timeouts (autocannon's `errors`). */
  readonly errors: number;
  readonly non2xx: number;
  /** Server CPU time per request (user + system), when the server runs in its own process. */
  readonly serverCpuMsPerRequest?: number;
}

interface AutocannonResult {
  readonly duration: number;
  readonly errors: number;
  readonly timeouts: number;
  readonly non2xx: number;
  readonly statusCodeStats: Record<string, { count: number }>;
}
interface AutocannonInstance extends PromiseLike<AutocannonResult> {
  on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): void;
  stop(): void;
}
interface RawRequest {
  method?: string;
  path?: string;
  body?: string;
  headers?: Record<string, string>;
}
type Autocannon = (options: Record<string, unknown>) => AutocannonInstance;

/**
 * autocannon as a library, bounded by duration, by request count and by a hard stop a few seconds
 * after the duration. Latencies are recorded exactly per request kind (see LatencyRecorder).
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const autocannon = require('autocannon') as Autocannon;
  const all = new LatencyRecorder(options.maxRequests);
  const byKind = new Map<string, LatencyRecorder>();
  // autocannon calls a request's onResponse and then, synchronously, emits 'response' with the
  // latency; this carries the request's kind from the first to the second.
  let answered: LoadRequest | undefined;

  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    maxOverallRequests: Math.max(options.maxRequests, options.connections),
    timeout: 10,
    // autocannon checks its stop flag once per sample; the default (1 s) would stretch short runs.
    sampleInt: 100,
    headers: options.headers,
    requests: [
      {
        setupRequest(req: RawRequest, context: { request?: LoadRequest }): RawRequest {
          const r = options.next();
          context.request = r;
          const body = r.body === undefined ? undefined : JSON.stringify(r.body);
          return {
            ...req,
            method: r.method,
            path: r.path,
            body,
            headers: {
              ...req.headers,
              ...r.headers,
              ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            },
          };
        },
        onResponse(status: number, body: string, context: { request?: LoadRequest }): void {
          answered = context.request;
          if (answered) options.onResponse?.(answered, status, body);
        },
      },
    ],
  });
  instance.on('response', (_client, _status, _bytes, ms) => {
    all.record(ms);
    options.alsoRecord?.record(ms);
    const kind = answered?.kind ?? 'unknown';
    let rec = byKind.get(kind);
    if (!rec) byKind.set(kind, (rec = new LatencyRecorder(options.maxRequests)));
    rec.record(ms);
    answered = undefined;
  });
  const cpuBefore = options.serverCpuMs?.();
  const hardStop = setTimeout(() => instance.stop(), (options.seconds + 5) * 1000);
  try {
    const result = await instance;
    const requests = all.count;
    const cpuAfter = options.serverCpuMs?.();
    const cpu =
      cpuBefore !== undefined && cpuAfter !== undefined && requests > 0
        ? (cpuAfter - cpuBefore) / requests
        : undefined;
    return {
      requests,
      seconds: result.duration,
      perSecond: result.duration > 0 ? round(requests / result.duration) : 0,
      latency: all.summary(),
      byKind: Object.fromEntries([...byKind].map(([k, r]) => [k, r.summary()])),
      statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats).map(([k, v]) => [k, v.count])),
      errors: result.errors,
      non2xx: result.non2xx,
      ...(cpu === undefined ? {} : { serverCpuMsPerRequest: round(cpu, 3) }),
    };
  } finally {
    clearTimeout(hardStop);
  }
}
