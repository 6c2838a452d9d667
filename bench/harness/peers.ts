import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { peersDir } from './paths';

/** The slice of @event-driven-io/emmett-sqlite 0.38.5 the bench uses (typed here: the peer is not in the main install). */
export interface EmmettEvent {
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: Record<string, unknown>;
}
export interface EmmettReadEvent extends EmmettEvent {
  readonly metadata: Record<string, unknown> & {
    streamName: string;
    streamPosition: bigint;
    globalPosition: bigint;
  };
}
export interface EmmettConnection {
  close(): void;
  command(sql: string, values?: unknown[]): Promise<unknown>;
  query<T>(sql: string, values?: unknown[]): Promise<T[]>;
  querySingle<T>(sql: string, values?: unknown[]): Promise<T | null>;
  withTransaction<T>(fn: () => Promise<T>): Promise<T>;
}
export interface EmmettProjection {
  readonly name: string;
  readonly canHandle: readonly string[];
  handle(events: EmmettReadEvent[], context: { connection: EmmettConnection }): Promise<void>;
}
export interface EmmettConsumer {
  processor(options: {
    processorId?: string;
    projection: EmmettProjection;
    startFrom?: 'BEGINNING';
    stopAfter?: (event: EmmettReadEvent) => boolean;
  }): unknown;
  start(): Promise<void>;
  stop(): Promise<void>;
  close(): Promise<void>;
}
export interface EmmettSqliteStore {
  appendToStream(stream: string, events: EmmettEvent[]): Promise<unknown>;
  consumer(options?: { pulling?: { batchSize?: number; pullingFrequencyInMs?: number } }): EmmettConsumer;
}
export interface EmmettSqlite {
  getSQLiteEventStore(options: {
    fileName: string;
    schema?: { autoMigration?: 'None' | 'CreateOrUpdate' };
  }): EmmettSqliteStore;
  sqliteConnection(options: { fileName: string }): EmmettConnection;
  schemaSQL: string[];
}

export type PeerLoad = { readonly emmett: EmmettSqlite } | { readonly skipped: string };

/**
 * Emmett lives in bench/peers (its sqlite3 dependency builds from source, ~75 s), installed there
 * on the first run and required from that folder, so it never enters the main install.
 */
export function loadEmmett(log: (line: string) => void, install = true): PeerLoad {
  const dir = peersDir();
  const marker = join(dir, 'node_modules', '@event-driven-io', 'emmett-sqlite', 'package.json');
  if (!existsSync(marker)) {
    if (!install) return { skipped: 'bench/peers is not installed (run `npm --prefix bench/peers install`)' };
    log(
      'installing the benchmark peers in bench/peers (first run only; sqlite3 builds from source, ~1-2 min)',
    );
    const r = spawnSync('npm', ['--prefix', dir, 'install', '--no-audit', '--no-fund'], { stdio: 'inherit' });
    if (r.status !== 0 || !existsSync(marker))
      return { skipped: `npm --prefix bench/peers install failed (exit ${r.status})` };
  }
  try {
    const req = createRequire(join(dir, 'package.json'));
    return { emmett: req('@event-driven-io/emmett-sqlite') as EmmettSqlite };
  } catch (e) {
    return { skipped: `cannot load Emmett from bench/peers: ${(e as Error).message}` };
  }
}
