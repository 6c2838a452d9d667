import { ValidationError } from '../errors';
import { loadConfig } from './ledger-config';

describe('loadConfig', () => {
  it('defaults: 127.0.0.1:3000, ./data, SQLite stores, dev key outside production', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      rateLimitPerMin: 6000,
      readWaitMs: 5000,
      devKeyActive: true,
    });
    expect(c.dataDir).toMatch(/\/data$/);
    expect(c.eventStoreUrl).toBeUndefined();
    expect(c.mongoUrl).toBeUndefined();
    expect(c.apiKeys.authenticate('dev')).toEqual({ tenantId: 'default', actor: 'dev' });
  });

  it('configured keys replace the dev key', () => {
    const c = loadConfig({ LEDGER_API_KEYS: 'k1=acme:ann, k2=beta:bob' });
    expect(c.devKeyActive).toBe(false);
    expect(c.apiKeys.authenticate('dev')).toBeUndefined();
    expect(c.apiKeys.authenticate('k1')).toEqual({ tenantId: 'acme', actor: 'ann' });
    expect(c.apiKeys.authenticate('k2')).toEqual({ tenantId: 'beta', actor: 'bob' });
    expect(c.apiKeys.authenticate('k3')).toBeUndefined();
  });

  it('refuses to start in production without keys', () => {
    const err = (() => {
      try {
        loadConfig({ NODE_ENV: 'production' });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fields.map((f) => f.field)).toEqual(['LEDGER_API_KEYS']);
    expect(loadConfig({ NODE_ENV: 'production', LEDGER_API_KEYS: 'k=t:a' }).production).toBe(true);
  });

  it('names every bad variable at once, and never echoes a key', () => {
    try {
      loadConfig({
        PORT: 'http',
        LEDGER_RATE_LIMIT_PER_MIN: '-1',
        LEDGER_READ_WAIT_MS: '1.5',
        LEDGER_API_KEYS: 'secret-key-without-tenant',
      });
      throw new Error('expected a ValidationError');
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      const v = e as ValidationError;
      expect(v.fields.map((f) => f.field).sort()).toEqual([
        'LEDGER_API_KEYS',
        'LEDGER_RATE_LIMIT_PER_MIN',
        'LEDGER_READ_WAIT_MS',
        'PORT',
      ]);
      expect(JSON.stringify(v.fields) + v.message).not.toContain('secret-key-without-tenant');
    }
  });

  it('reads the server URLs and the 0 = off rate limit', () => {
    const c = loadConfig({
      EVENTSTORE_URL: 'esdb://es:2113?tls=false',
      MONGO_URL: 'mongodb://m/?replicaSet=rs0',
      LEDGER_RATE_LIMIT_PER_MIN: '0',
    });
    expect(c).toMatchObject({
      eventStoreUrl: 'esdb://es:2113?tls=false',
      mongoUrl: 'mongodb://m/?replicaSet=rs0',
      rateLimitPerMin: 0,
    });
  });
});
