import { createHash } from 'node:crypto';

/** JSON with sorted keys, so `{a,b}` and `{b,a}` are the same request. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What makes two requests "the same" for an Idempotency-Key: method, path, If-Match and body. */
export function requestHash(
  method: string,
  path: string,
  ifMatch: string | undefined,
  body: unknown,
): string {
  return createHash('sha256')
    .update(`${method} ${path}\n${ifMatch ?? ''}\n${canonicalJson(body ?? null)}`)
    .digest('hex');
}
