import type { RawRequest, RawResponse } from './raw-http';

const PROBLEM_TYPE = /^https:\/\/task-ledger\.dev\/problems\/[a-z0-9-]+$/;
// Internals that must never reach a client: stack frames, SQL, driver names.
const LEAK = /at .+\.(ts|js):\d+|SQLITE_|sqlite|SELECT |INSERT |UPDATE .+ SET|node_modules/i;

const header = (res: RawResponse, name: string) => {
  const v = res.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
};

/**
 * A 503 is legitimate only as the bounded read wait running out: the request named a minimum
 * position, the body says unavailable, and it tells the client when to retry. Anything else
 * (a store "unavailable" because of what a client sent) would be a bug.
 */
function justified503(req: RawRequest, res: RawResponse, body: Record<string, unknown>): boolean {
  const asked = Object.keys(req.headers).some((h) => h.toLowerCase() === 'x-min-position');
  const unavailable = req.method === 'HEAD' || /\/unavailable$/.test(String(body.type));
  return asked && unavailable && /^\d+$/.test(header(res, 'retry-after') ?? '');
}

/** Every way `res` breaks the contract for hostile input; empty when it is fine. */
export function contractBreaches(req: RawRequest, res: RawResponse): string[] {
  if (res.status < 400) return [];
  const out: string[] = [];
  const type = header(res, 'content-type') ?? '';
  if (!/^application\/problem\+json/.test(type)) out.push(`content-type is "${type}", not problem+json`);
  let body: Record<string, unknown> = {};
  if (req.method !== 'HEAD') {
    try {
      body = JSON.parse(res.body.toString('utf8')) as Record<string, unknown>;
    } catch {
      out.push(`body is not JSON: ${JSON.stringify(res.body.subarray(0, 120).toString('utf8'))}`);
    }
    if (!PROBLEM_TYPE.test(String(body.type))) out.push(`problem type is ${JSON.stringify(body.type)}`);
    if (body.status !== undefined && body.status !== res.status)
      out.push(`body.status ${String(body.status)} != ${res.status}`);
    if (LEAK.test(res.body.toString('utf8'))) out.push('body leaks internals');
  }
  if (res.status >= 500 && !(res.status === 503 && justified503(req, res, body))) {
    out.push(`server error ${res.status}`);
  }
  return out;
}
