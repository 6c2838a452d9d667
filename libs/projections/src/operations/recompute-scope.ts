import { TASK_STREAM_PREFIX, type TaskEvent } from '@ledger/tasks';
import type { ProjectedEvent, Projection, ReadDocument } from '../core/projection';

/**
 * Where the events of a document live, which is what verify, repair, replay and parked retry
 * need to recompute it "straight from its streams":
 * - `stream`: every event of the document is in one task stream (tasks, task-history);
 *   `streamOf` names it from the document id alone, so a page of stored documents can be
 *   checked stream by stream;
 * - `tenant`: one document per tenant folded over all of its tasks' streams (stats).
 */
export type RecomputeScope =
  { readonly kind: 'stream'; streamOf(docId: string): string } | { readonly kind: 'tenant' };

/** Documents keyed by the task id, or by `<taskId>:<suffix>` (one history entry per revision). */
export const taskStreamScope = (streamPrefix = TASK_STREAM_PREFIX): RecomputeScope => ({
  kind: 'stream',
  streamOf: (docId) => `${streamPrefix}${docId.split(':')[0]}`,
});

export const tenantScope: RecomputeScope = { kind: 'tenant' };

const PROBE_TASK = '00000000-0000-4000-8000-00000000beef';
const PROBE_TENANT = 'probe-tenant';

/**
 * The Projection interface says which document an event touches, not the way back. Rather than
 * make every read model declare it, ask its `documentId` about a probe event: a projection keyed
 * by the tenant answers the tenant, one keyed by the task answers an id that starts with the task
 * id. Anything else must be given an explicit scope (the operations take `scope`).
 */
export function inferRecomputeScope(
  projection: Projection<ReadDocument>,
  streamPrefix = TASK_STREAM_PREFIX,
): RecomputeScope {
  const type = projection.handles[0] ?? 'TaskCreated';
  const probe = {
    type,
    data: { taskId: PROBE_TASK },
    metadata: { tenantId: PROBE_TENANT },
    id: PROBE_TASK,
    streamName: `${streamPrefix}${PROBE_TASK}`,
    revision: 7n,
    position: '0',
  } as unknown as ProjectedEvent & TaskEvent;
  let id: string | undefined;
  try {
    id = projection.documentId(probe);
  } catch {
    id = undefined;
  }
  if (id === PROBE_TENANT) return tenantScope;
  if (id !== undefined && (id === PROBE_TASK || id.startsWith(`${PROBE_TASK}:`)))
    return taskStreamScope(streamPrefix);
  throw new Error(
    `cannot tell where the documents of projection ${projection.name} come from (keyed neither by task nor by tenant); pass a RecomputeScope`,
  );
}
