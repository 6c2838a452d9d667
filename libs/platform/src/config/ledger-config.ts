import { resolve } from 'node:path';
import { ValidationError, type FieldProblem } from '../errors';
import { ApiKeys } from './api-keys';

export interface LedgerConfig {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly eventStoreUrl?: string;
  readonly mongoUrl?: string;
  readonly apiKeys: ApiKeys;
  /** True when no keys were configured and the development key `dev` is in use. */
  readonly devKeyActive: boolean;
  readonly rateLimitPerMin: number;
  readonly readWaitMs: number;
  readonly production: boolean;
  readonly logLevel: string;
}

export const LEDGER_CONFIG = Symbol('LEDGER_CONFIG');

const DEV_KEY = { key: 'dev', tenantId: 'default', actor: 'dev' };

function integer(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
  bad: FieldProblem[],
) {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    bad.push({ field: name, problems: [`must be an integer from ${min} to ${max}`] });
    return fallback;
  }
  return n;
}

/** Reads and checks the environment once at start-up; a bad value stops the process with a clear message. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): LedgerConfig {
  const bad: FieldProblem[] = [];
  const production = env.NODE_ENV === 'production';
  const port = integer(env, 'PORT', 3000, 0, 65535, bad);
  const rateLimitPerMin = integer(env, 'LEDGER_RATE_LIMIT_PER_MIN', 6000, 0, 10_000_000, bad);
  const readWaitMs = integer(env, 'LEDGER_READ_WAIT_MS', 5000, 0, 600_000, bad);

  let apiKeys = ApiKeys.fromEntries([]);
  const keySpec = env.LEDGER_API_KEYS?.trim();
  if (keySpec) {
    try {
      apiKeys = ApiKeys.parse(keySpec);
    } catch (e) {
      if (e instanceof ValidationError) bad.push(...e.fields);
      else throw e;
    }
  }
  const devKeyActive = !keySpec && !production;
  if (devKeyActive) apiKeys = ApiKeys.fromEntries([DEV_KEY]);
  if (!keySpec && production) {
    bad.push({ field: 'LEDGER_API_KEYS', problems: ['required when NODE_ENV=production'] });
  }
  if (bad.length > 0) throw new ValidationError('invalid configuration', bad);

  return {
    port,
    host: env.HOST?.trim() || '127.0.0.1',
    dataDir: resolve(env.LEDGER_DATA_DIR?.trim() || './data'),
    eventStoreUrl: env.EVENTSTORE_URL?.trim() || undefined,
    mongoUrl: env.MONGO_URL?.trim() || undefined,
    apiKeys,
    devKeyActive,
    rateLimitPerMin,
    readWaitMs,
    production,
    logLevel: env.LOG_LEVEL?.trim() || (env.NODE_ENV === 'test' ? 'silent' : 'info'),
  };
}
