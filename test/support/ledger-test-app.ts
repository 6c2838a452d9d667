import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { LedgerApp } from '../../apps/all-in-one/src/ledger.app';
import { loadConfig, type LedgerConfig } from '@ledger/platform/config';
import { createHttpApp } from '@ledger/platform/http';
import { EVENT_STORE, type EventStore } from '@ledger/event-store/core';

export const KEYS = { alice: 'key-alice', bob: 'key-bob', carol: 'key-carol' } as const;
/** alice and carol share tenant t1; bob is alone in t2. */
export const API_KEYS = `${KEYS.alice}=t1:alice,${KEYS.bob}=t2:bob,${KEYS.carol}=t1:carol`;

export interface TestApp {
  readonly app: INestApplication;
  readonly config: LedgerConfig;
  readonly dataDir: string;
  readonly url: string;
  /** supertest agent bound to the app's server. */
  http(): ReturnType<typeof request>;
  close(): Promise<void>;
}

/**
 * Initialises an app for supertest on `app.getHttpServer()` without listening: Fastify answers
 * requests only once its plugins and routes are ready, which `app.init()` alone does not wait for.
 */
export async function initForSupertest(app: INestApplication): Promise<void> {
  await app.init();
  await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
}

/** The all-in-one app on a fresh temp data dir, in-process, not listening on a port. */
export async function startTestApp(env: NodeJS.ProcessEnv = {}): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-e2e-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LEDGER_DATA_DIR: dataDir,
    LEDGER_API_KEYS: API_KEYS,
    LOG_LEVEL: 'silent',
    ...env,
  });
  const { app } = await createHttpApp(LedgerApp.forRoot(config), config, 'ledger-test');
  // A real listening socket: concurrency tests need one server, not one per supertest call.
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  return {
    app,
    config,
    dataDir,
    url,
    http: () => request(url),
    close: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const auth = (key: string = KEYS.alice) => ({ Authorization: `Bearer ${key}` });

/** Creates a task as `key` and returns its id. */
export async function createTask(
  t: TestApp,
  body: Record<string, unknown> = { title: 'Write the runbook' },
  key: string = KEYS.alice,
) {
  const res = await t.http().post('/v1/tasks').set(auth(key)).send(body).expect(201);
  return res.body as { id: string; revision: number; position: string };
}

/** The newest position in the event store: reading with it as X-Min-Position sees every write so far. */
export async function headPosition(t: TestApp): Promise<string> {
  return (await t.app.get<EventStore>(EVENT_STORE).headPosition()) ?? '0';
}

export interface HistoryItem {
  revision: number;
  type: string;
  data: Record<string, unknown>;
  actor: string;
  occurredAt: string;
  position: string;
}

/** A task's history once the read model has caught up with every write made so far. */
export async function historyOf(t: TestApp, id: string, key: string = KEYS.alice): Promise<HistoryItem[]> {
  const res = await t
    .http()
    .get(`/v1/tasks/${id}/history`)
    .set(auth(key))
    .set('X-Min-Position', await headPosition(t))
    .expect(200);
  return res.body.items;
}
