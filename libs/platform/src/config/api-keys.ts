import { createHash, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../errors';

export interface Principal {
  readonly tenantId: string;
  readonly actor: string;
}

interface KeyEntry extends Principal {
  readonly digest: Buffer;
}

const digest = (key: string): Buffer => createHash('sha256').update(key, 'utf8').digest();

/**
 * The API keys a process accepts. Keys are kept only as SHA-256 digests and compared in
 * constant time, so neither a log line nor a timing difference gives one away.
 */
export class ApiKeys {
  private constructor(private readonly entries: readonly KeyEntry[]) {}

  static fromEntries(entries: ReadonlyArray<{ key: string } & Principal>): ApiKeys {
    return new ApiKeys(entries.map((e) => ({ digest: digest(e.key), tenantId: e.tenantId, actor: e.actor })));
  }

  /** `LEDGER_API_KEYS` syntax: `key=tenant:actor,key2=tenant2:actor2`. */
  static parse(spec: string): ApiKeys {
    const entries = spec
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0)
      .map((item) => {
        const eq = item.indexOf('=');
        const key = eq > 0 ? item.slice(0, eq) : '';
        const [tenantId, actor, ...rest] = eq > 0 ? item.slice(eq + 1).split(':') : [];
        if (!key || !tenantId || !actor || rest.length > 0) {
          // Never echo the item: it holds a secret.
          throw new ValidationError('LEDGER_API_KEYS must look like key=tenant:actor,key2=tenant:actor', [
            { field: 'LEDGER_API_KEYS', problems: ['malformed entry'] },
          ]);
        }
        return { key, tenantId, actor };
      });
    return ApiKeys.fromEntries(entries);
  }

  get size(): number {
    return this.entries.length;
  }

  /** Checks every entry so the time taken does not depend on which key matched. */
  authenticate(presented: string): Principal | undefined {
    const d = digest(presented);
    let found: Principal | undefined;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, d) && !found)
        found = { tenantId: entry.tenantId, actor: entry.actor };
    }
    return found;
  }
}
