import { connectMongo, databaseNameFromUrl, DEFAULT_DATABASE } from './mongo-connection';

describe('databaseNameFromUrl', () => {
  it.each([
    ['mongodb://localhost:27017/?replicaSet=rs0', undefined],
    ['mongodb://localhost:27017', undefined],
    ['mongodb://a:1,b:2,c:3/ledger?replicaSet=rs0', 'ledger'],
    ['mongodb+srv://user:p%40ss@cluster0.example.net/read_models?retryWrites=true', 'read_models'],
    ['mongodb://localhost/my%2Ddb', 'my-db'],
  ])('%s -> %s', (url, name) => {
    expect(databaseNameFromUrl(url)).toBe(name);
  });
});

describe('connectMongo', () => {
  // Building a client does not connect: nothing here touches the network.
  it('uses the named database, else the URL one, else the default, with majority writes by default', async () => {
    const a = connectMongo({ url: 'mongodb://localhost:27017/?replicaSet=rs0' });
    const b = connectMongo({ url: 'mongodb://localhost:27017/from_url', writeConcern: 1 });
    const c = connectMongo({ url: 'mongodb://localhost:27017/from_url', dbName: 'given' });
    try {
      expect(a.db.databaseName).toBe(DEFAULT_DATABASE);
      expect(a.db.writeConcern?.w).toBe('majority');
      expect(b.db.databaseName).toBe('from_url');
      expect(b.db.writeConcern?.w).toBe(1);
      expect(c.db.databaseName).toBe('given');
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('closes once however often close() is called', async () => {
    const conn = connectMongo({ url: 'mongodb://localhost:27017' });
    await Promise.all([conn.close(), conn.close()]);
    await expect(conn.close()).resolves.toBeUndefined();
  });

  it('refuses to connect again once closed', async () => {
    const conn = connectMongo({ url: 'mongodb://localhost:27017' });
    await conn.close();
    await expect(conn.ready()).rejects.toThrow(/closed/);
  });
});
