import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBuilt, ENTRY } from '../support/build-dist';
import { freePort, killAllChildren, spawnNode, waitForHttp, type Child } from '../support/child-process';

const KEY = 'sep-key';

/**
 * The docker-compose shape on one machine: command API, query API and projector as three
 * processes sharing one data directory. Read-your-writes must hold across them.
 */
describe('command API, projector and query API in separate processes', () => {
  let dataDir: string;
  let commands: string;
  let queries: string;
  const children: Child[] = [];

  beforeAll(async () => {
    await ensureBuilt([ENTRY.commandApi, ENTRY.queryApi, ENTRY.projector]);
    dataDir = mkdtempSync(join(tmpdir(), 'ledger-sep-'));
    const env = (port: number) => ({
      LEDGER_DATA_DIR: dataDir,
      PORT: String(port),
      LEDGER_API_KEYS: `${KEY}=t1:alice`,
    });
    const [cp, qp, pp] = await Promise.all([freePort(), freePort(), freePort()]);
    commands = `http://127.0.0.1:${cp}`;
    queries = `http://127.0.0.1:${qp}`;
    children.push(spawnNode('command-api', ENTRY.commandApi, [], env(cp)));
    children.push(spawnNode('projector', ENTRY.projector, [], env(pp)));
    children.push(spawnNode('query-api', ENTRY.queryApi, [], env(qp)));
    await Promise.all([
      waitForHttp(children[0], `${commands}/health/ready`),
      waitForHttp(children[1], `http://127.0.0.1:${pp}/health/ready`),
      waitForHttp(children[2], `${queries}/health/ready`),
    ]);
  }, 240_000);

  afterAll(async () => {
    await killAllChildren();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const headers = { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' };

  it('a write followed by a read with its position sees the write, 100 times in a row', async () => {
    const created = await fetch(`${commands}/v1/tasks`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ title: 'sep' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    for (let i = 0; i < 100; i++) {
      const w = await fetch(`${commands}/v1/tasks/${id}`, {
        method: 'PATCH',
        headers,
        body: JSON.stringify({ title: `t${i}` }),
      });
      expect(w.status).toBe(200);
      const { position, revision } = (await w.json()) as { position: string; revision: number };
      const r = await fetch(`${queries}/v1/tasks/${id}`, {
        headers: { ...headers, 'X-Min-Position': position },
      });
      expect(r.status).toBe(200);
      expect(await r.json()).toMatchObject({ title: `t${i}`, revision });
      expect(BigInt(r.headers.get('x-position') ?? '0')).toBeGreaterThanOrEqual(BigInt(position));
    }
  }, 120_000);
});
