import { request } from '../harness/http-client';
import { LatencyRecorder, type LatencySummary } from '../harness/stats';

export interface ProbeResult {
  readonly latency: LatencySummary;
  /**
   * The same read without `X-Min-Position`, right after: one request's round trip through the
   * loaded server, what a read-your-writes read costs when it has nothing to wait for.
   */
  readonly plainRead: LatencySummary;
  /** A read that answered 503 (the wait ran out), showed an older revision, or failed. */
  readonly failures: number;
  readonly firstFailure?: string;
}

/**
 * One client doing write -> read, back to back: the time from the write's response until a
 * `GET` with `X-Min-Position: <the write's position>` returns the written revision. Then a plain
 * `GET` of the same task, timed apart, as the reference.
 */
export async function readYourWritesProbe(
  url: string,
  probes: number,
  seconds: number,
): Promise<ProbeResult> {
  const created = await request<{ id: string }>(url, 'POST', '/v1/tasks', {
    title: 'read-your-writes probe',
  });
  if (created.status !== 201) throw new Error(`probe task: ${created.status}`);
  const id = created.body.id;
  const latency = new LatencyRecorder(probes);
  const plainRead = new LatencyRecorder(probes);
  const deadline = Date.now() + seconds * 1000;
  let failures = 0;
  let firstFailure: string | undefined;
  for (let i = 0; i < probes && Date.now() < deadline; i++) {
    try {
      const write = await request<{ revision: number; position: string }>(url, 'PATCH', `/v1/tasks/${id}`, {
        title: `probe ${i}`,
      });
      if (write.status !== 200) throw new Error(`write answered ${write.status}`);
      const written = performance.now();
      const read = await request<{ revision: number }>(url, 'GET', `/v1/tasks/${id}`, undefined, {
        'x-min-position': write.body.position,
      });
      const ms = performance.now() - written;
      if (read.status !== 200 || read.body.revision < write.body.revision) {
        throw new Error(
          `read answered ${read.status} revision ${read.body?.revision} < ${write.body.revision}`,
        );
      }
      latency.record(ms);
      const plainStart = performance.now();
      const plain = await request(url, 'GET', `/v1/tasks/${id}`);
      if (plain.status !== 200) throw new Error(`plain read answered ${plain.status}`);
      plainRead.record(performance.now() - plainStart);
    } catch (e) {
      failures++;
      firstFailure ??= (e as Error).message;
    }
  }
  return { latency: latency.summary(), plainRead: plainRead.summary(), failures, firstFailure };
}
