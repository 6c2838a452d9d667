import { MongoClient, type Db, type W } from 'mongodb';

export interface MongoConnectionOptions {
  /** e.g. `mongodb://localhost:27017/?replicaSet=rs0` (MONGO_URL). */
  readonly url: string;
  /** Defaults to the database named in the URL, else `ledger`. */
  readonly dbName?: string;
  /**
   * Acknowledgement every write waits for. `majority` (the default) means an acknowledged
   * checkpoint survives a failover, so `X-Position` never goes backwards after one.
   */
  readonly writeConcern?: W;
  /**
   * How long an operation waits for a usable server before failing (then: UnavailableError).
   * The driver's 30 s default would hold an HTTP request far past its 503 budget.
   */
  readonly serverSelectionTimeoutMS?: number;
}

export interface MongoConnection {
  readonly client: MongoClient;
  readonly db: Db;
  /** Resolves once connected; call before every operation (see connectMongo for why). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_DATABASE = 'ledger';

/** The database path of a MongoDB URL (`mongodb://h1,h2/name?opts` -> `name`), if it has one. */
export function databaseNameFromUrl(url: string): string | undefined {
  const match = /^mongodb(?:\+srv)?:\/\/[^/?]*\/([^?]*)/.exec(url);
  const name = match?.[1] ? decodeURIComponent(match[1]) : '';
  return name || undefined;
}

/**
 * Builds a client that connects on first use, so a process started while MongoDB is down comes
 * up and answers 503 until it returns, instead of crashing. Connecting is explicit (`ready()`)
 * rather than left to the driver's auto-connect: with driver 6.22, an operation whose implicit
 * first connect fails leaves the client holding a closed topology, and every later operation
 * fails with MongoTopologyClosedError even once the server is back (seen in
 * mongo-outage.spec.ts). `client.connect()` after such a failure builds a new topology; once
 * connected, the driver's monitoring rides out later outages by itself.
 * `ignoreUndefined` stores documents as JSON would (an undefined field is absent, not null),
 * like the SQLite adapter's JSON bodies.
 * @example const { db, close } = connectMongo({ url: process.env.MONGO_URL! })
 */
export function connectMongo(options: MongoConnectionOptions): MongoConnection {
  const client = new MongoClient(options.url, {
    ignoreUndefined: true,
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5000,
    retryWrites: true,
    appName: 'task-ledger-read-models',
  });
  const db = client.db(options.dbName ?? databaseNameFromUrl(options.url) ?? DEFAULT_DATABASE, {
    writeConcern: { w: options.writeConcern ?? 'majority' },
  });
  let connected: Promise<void> | undefined;
  let closed: Promise<void> | undefined;
  return {
    client,
    db,
    ready: () => {
      if (closed) return Promise.reject(new Error('the MongoDB connection is closed'));
      connected ??= client.connect().then(
        () => undefined,
        (e: unknown) => {
          connected = undefined; // the next call connects afresh
          throw e;
        },
      );
      return connected;
    },
    close: () => (closed ??= client.close()),
  };
}
