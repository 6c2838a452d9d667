import type { RecordedEvent } from '@ledger/event-store';
import type { ReadDocument } from '../core/projection';
import type { DocumentWrite, NewParkedEvent, StoredDocument } from '../core/projection-store.port';
import type { CheckRecorder } from './check-recorder';
import { diffDocument, type DocumentDrift } from './document-diff';
import { mapConcurrent, type OperationContext } from './operation-context';
import { foldEventsInto, maxKey, type ExpectedDocument } from './recompute-fold';

export type CheckMode = 'verify' | 'repair';

export interface StreamCheckOptions {
  readonly mode: CheckMode;
  /** Pass 2 of a full verify: only streams none of whose documents is stored (pass 1 saw the rest). */
  readonly onlyUnstored?: boolean;
  /** Ids already known to belong to these streams (a scanned page), checked even if no event produces them. */
  readonly knownIds?: readonly string[];
}

/** How many times repair re-checks a stream whose write lost to a newer one from the projector. */
const REPAIR_ATTEMPTS = 3;

type Docs = Map<string, ExpectedDocument<ReadDocument>>;

interface StreamPlan {
  readonly stream: string;
  readonly stored: Map<string, StoredDocument<ReadDocument>>;
  readonly expected: Docs;
  readonly unfoldable: NewParkedEvent[];
}

const foldStream = (ctx: OperationContext, events: readonly RecordedEvent[], bound: string | undefined) => {
  const expected: Docs = new Map();
  const unfoldable: NewParkedEvent[] = [];
  foldEventsInto(
    { projection: ctx.projection, upcast: ctx.upcast, positionKey: ctx.positionKey, boundOf: () => bound },
    events,
    expected,
    unfoldable,
  );
  return { expected, unfoldable };
};

/**
 * Recomputes the documents of some streams and compares them with the read model.
 *
 * The comparison is made at one moment of the log per stream: the read model's checkpoint `C`
 * when the operation started, or later when a stored document of the stream is already ahead of
 * it (the projector keeps running): every event of a stream up to that bound must be in its
 * documents, and none after it. So a running projector causes no false drift.
 */
async function planStreams(
  ctx: OperationContext,
  streams: readonly string[],
  knownIds: readonly string[],
): Promise<StreamPlan[]> {
  if (ctx.scope.kind !== 'stream') throw new Error('planStreams needs a stream scope');
  const streamOf = ctx.scope.streamOf;
  const c = ctx.checkpoint?.key;
  const read = await mapConcurrent(streams, ctx.concurrency, (s) => ctx.eventStore.readStream(s));
  const atC = read.map((events) => foldStream(ctx, events, c));
  const ids = new Set(knownIds);
  for (const { expected } of atC) for (const id of expected.keys()) ids.add(id);
  const loaded = await ctx.store.loadDocuments<ReadDocument>(ctx.target, [...ids]);
  const byStream = new Map<string, Map<string, StoredDocument<ReadDocument>>>();
  for (const [id, d] of loaded) {
    const s = streamOf(id);
    if (!byStream.has(s)) byStream.set(s, new Map());
    byStream.get(s)!.set(id, d);
  }
  return streams.map((stream, i) => {
    const stored = byStream.get(stream) ?? new Map<string, StoredDocument<ReadDocument>>();
    let bound = c;
    for (const d of stored.values()) bound = maxKey(bound, d.positionKey);
    const plan = bound === c ? atC[i] : foldStream(ctx, read[i], bound);
    return { stream, stored, ...plan };
  });
}

const driftsOf = (plan: StreamPlan): DocumentDrift[] => {
  const drifts: DocumentDrift[] = [];
  for (const id of new Set([...plan.stored.keys(), ...plan.expected.keys()])) {
    const d = diffDocument(id, plan.stored.get(id)?.doc, plan.expected.get(id)?.doc ?? undefined);
    if (d) drifts.push(d);
  }
  return drifts;
};

/**
 * The write that puts a drifted document right, under the 'not-older' guard so it never
 * overwrites newer work of a running projector. It is written at the later of the stored and
 * the recomputed positions: the recomputation includes every event of the document up to the
 * bound, so the document is right as of either.
 */
export function repairWrite(
  drift: DocumentDrift,
  stored: StoredDocument<ReadDocument> | undefined,
  expected: ExpectedDocument<ReadDocument> | undefined,
): DocumentWrite<ReadDocument> {
  const useStored = stored && (!expected || stored.positionKey >= expected.positionKey);
  const at = useStored ? stored : expected!;
  return {
    id: drift.id,
    doc: drift.kind === 'extra' ? null : expected!.doc,
    position: at.position,
    positionKey: at.positionKey,
    guard: 'not-older',
  };
}

/** Checks (and in repair mode fixes) one batch of streams. */
export async function checkStreams(
  ctx: OperationContext,
  streams: readonly string[],
  options: StreamCheckOptions,
  recorder: CheckRecorder,
): Promise<void> {
  let plans = (await planStreams(ctx, streams, options.knownIds ?? [])).filter(
    (p) => !(options.onlyUnstored && p.stored.size > 0),
  );
  recorder.checked(
    plans.reduce((n, p) => n + p.stored.size, 0),
    plans.length,
  );
  let pending = new Map<string, DocumentDrift>();
  for (const plan of plans) {
    recorder.unfoldable(plan.unfoldable);
    for (const d of driftsOf(plan)) {
      recorder.drift(d);
      pending.set(d.id, d);
    }
  }
  if (options.mode === 'verify') return;

  for (let attempt = 1; pending.size > 0; attempt++) {
    const writes = plans.flatMap((p) =>
      driftsOf(p).map((d) => repairWrite(d, p.stored.get(d.id), p.expected.get(d.id))),
    );
    const { skipped } = await ctx.store.commitBatch(ctx.target, writes);
    const recheck = skipped > 0 && attempt < REPAIR_ATTEMPTS;
    // A skipped write lost to a newer document: recompute those streams at their new positions.
    const streamsLeft =
      skipped > 0 ? [...new Set(plans.filter((p) => driftsOf(p).length).map((p) => p.stream))] : [];
    plans = streamsLeft.length
      ? await planStreams(
          ctx,
          streamsLeft,
          writes.map((w) => w.id),
        )
      : [];
    const still = new Set(plans.flatMap((p) => driftsOf(p).map((d) => d.id)));
    for (const [id, d] of pending) {
      if (!still.has(id)) {
        recorder.fixed(d);
        pending.delete(id);
      } else if (!recheck) {
        recorder.unresolved(d);
        pending.delete(id);
      }
    }
    if (!recheck) pending = new Map();
  }
}
