// autocannon ships no types (and @types/autocannon is not a dependency): the few parts used here.

export interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface AutocannonStep<Context> {
  /** Returns the request to send, or undefined to start the sequence over (a lost context). */
  setupRequest: (req: AutocannonRequest, context: Context) => AutocannonRequest | undefined;
  onResponse?: (status: number, body: string, context: Context, headers: Record<string, string>) => void;
}

export interface AutocannonOptions<Context> {
  url: string;
  connections: number;
  duration: number;
  timeout?: number;
  requests: Array<AutocannonStep<Context>>;
}

export interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  resets: number;
  requests: { total: number; average: number };
  latency: { p50: number; p99: number; max: number };
  statusCodeStats: Record<string, { count: number }>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon') as <C>(opts: AutocannonOptions<C>) => Promise<AutocannonResult>;

export const runAutocannon = <C>(opts: AutocannonOptions<C>): Promise<AutocannonResult> => autocannon(opts);
