import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Body,
  Controller,
  Logger,
  Module,
  Post,
  Req,
  UseGuards,
  type INestApplication,
} from '@nestjs/common';
import request from 'supertest';
import { loadConfig } from '@ledger/platform/config';
import { ApiKeyGuard, createHttpApp, type LedgerRequest } from '@ledger/platform/http';
import { LedgerApp } from '../../apps/all-in-one/src/ledger.app';
import { API_KEYS, initForSupertest, KEYS } from '../support/ledger-test-app';

/** A route that logs from deep inside the request, after body parsing, a guard and an await. */
@Controller('v1/log-probe')
@UseGuards(ApiKeyGuard)
class LogProbeController {
  private readonly logger = new Logger('probe');

  @Post()
  async probe(@Body() body: Record<string, unknown>, @Req() req: LedgerRequest) {
    await sleep(5);
    this.logger.log({ body }, 'inside the handler');
    // A careless line with the whole header set: redaction must still hide the key.
    this.logger.warn({ headers: req.headers }, 'headers dump');
    return { ok: true };
  }
}

describe('structured logs', () => {
  const lines: string[] = [];
  const destination = { write: (chunk: string) => void lines.push(...chunk.split('\n').filter(Boolean)) };
  let app: INestApplication;
  let dataDir: string;
  const http = () => request(app.getHttpServer());
  const logs = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ledger-logs-'));
    const config = loadConfig({
      NODE_ENV: 'test',
      LEDGER_DATA_DIR: dataDir,
      LEDGER_API_KEYS: API_KEYS,
      LOG_LEVEL: 'debug',
    });
    @Module({ imports: [LedgerApp.forRoot(config)], controllers: [LogProbeController] })
    class Root {}
    ({ app } = await createHttpApp({ module: Root }, config, 'ledger-log-test', {
      logDestination: destination,
    }));
    await initForSupertest(app);
  });
  afterAll(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('are JSON lines, and every line written while serving a request carries its correlationId', async () => {
    await http()
      .post('/v1/log-probe')
      .set('Authorization', `Bearer ${KEYS.alice}`)
      .set('X-Correlation-Id', 'corr-probe-1')
      .send({ hello: 'world' })
      .expect(201);
    const inside = logs().filter((l) => l.msg === 'inside the handler' || l.msg === 'headers dump');
    expect(inside).toHaveLength(2);
    for (const line of inside) {
      expect(line.correlationId).toBe('corr-probe-1');
      expect(typeof line.requestId).toBe('string');
    }
    const access = logs().find((l) => l.msg === 'request' && l.correlationId === 'corr-probe-1');
    expect(access).toMatchObject({
      method: 'POST',
      route: '/v1/log-probe',
      status: 201,
      requestId: inside[0].requestId,
    });
    expect(inside[1].headers).toMatchObject({ authorization: '[redacted]' });
  });

  it('never contain an API key, valid or not, whatever the request did', async () => {
    const wrongKey = 'wrong-key-that-must-not-leak-7f3a';
    const a = { Authorization: `Bearer ${KEYS.alice}` };
    const created = await http().post('/v1/tasks').set(a).send({ title: 'log me' }).expect(201);
    await http().get(`/v1/tasks/${created.body.id}`).set(a).expect(200);
    await http().post('/v1/tasks').set(a).send({ title: '' }).expect(400);
    await http()
      .post('/v1/tasks')
      .set(a)
      .set('Content-Type', 'application/json')
      .send('{not json')
      .expect(400);
    await http()
      .post('/v1/tasks')
      .set('Authorization', `Bearer ${wrongKey}`)
      .send({ title: 'x' })
      .expect(401);
    await http().get('/v1/tasks').set('Authorization', `Bearer ${wrongKey}`).expect(401);
    await http().post('/v1/log-probe').set(a).send({ n: 1 }).expect(201);
    await http().get('/health/ready').expect(200);

    const all = lines.join('\n');
    expect(lines.length).toBeGreaterThan(10);
    for (const secret of [KEYS.alice, KEYS.bob, KEYS.carol, wrongKey]) expect(all).not.toContain(secret);
    // Every access line names its request; none carries headers.
    const access = logs().filter((l) => l.msg === 'request');
    expect(access.length).toBeGreaterThanOrEqual(8);
    for (const line of access) {
      expect(typeof line.correlationId).toBe('string');
      expect(line).not.toHaveProperty('headers');
    }
  });
});
