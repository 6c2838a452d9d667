import type { EventStore, Position } from '@ledger/event-store';
import { TASK_STREAM_PREFIX } from '@ledger/tasks';
import type { Projection, ReadDocument } from '../core/projection';
import type { ProjectionState, ProjectionStore } from '../core/projection-store.port';
import { measureLag } from '../engine/measure-lag';
import { positionFraction } from './operation-context';
import {
  holderAlive,
  leaseHolder,
  OPERATIONS_BOARD,
  rebuildLeaseName,
  type LeaseHolder,
} from './operation-lease';

const holderText = (h: LeaseHolder): string =>
  `${h.owner} (pid ${h.pid} on ${h.host}${holderAlive(h) === false ? ', process gone: the next rebuild takes over and resumes' : ''})`;

export interface ProjectionStatusOptions {
  /** The projections this code runs (their code versions); stored ones not listed are shown too. */
  readonly projections: readonly Projection<ReadDocument>[];
  readonly eventStore: EventStore;
  readonly store: ProjectionStore;
  /** Most events counted per projection for the lag (default 10,000; beyond it the count is capped). */
  readonly lagCountLimit?: number;
  readonly clock?: () => Date;
}

export interface ProjectionStatusRow {
  readonly name: string;
  /** The fold version in this code; undefined for a stored projection this code no longer has. */
  readonly codeVersion?: number;
  /** The version that filled the live copy; undefined when never started (it will be backfilled). */
  readonly storedVersion?: number;
  /** Stored status; `not started` when the projector never registered it. */
  readonly state: 'live' | 'rebuilding' | 'stopped' | 'not started';
  /** A shadow copy being filled (or paused) by a blue/green rebuild. */
  readonly rebuild?: {
    readonly target: string;
    readonly version: number;
    readonly checkpoint?: Position;
    /** Estimated from positions (see positionFraction); undefined when it cannot be. */
    readonly percent?: number;
    /** Who holds the rebuild lease, when a rebuild runs. */
    readonly holder?: string;
  };
  readonly liveTarget?: string;
  readonly checkpoint?: Position;
  /**
   * How far the live copy has come through the log while it has events to catch up on (a
   * backfill of a new projection, or a projector that was down); estimated from positions.
   */
  readonly catchUpPercent?: number;
  readonly head?: Position;
  readonly eventsBehind: number;
  readonly eventsBehindCapped: boolean;
  readonly secondsBehind: number;
  readonly parked: number;
  readonly lastError?: string;
}

/**
 * One row per projection: versions (code vs stored), state, rebuild progress, checkpoint, head,
 * lag in events and seconds, parked events, last error. Reads only.
 * @example for (const row of await projectionStatus({ projections: allProjections, eventStore, store })) console.log(row)
 */
export async function projectionStatus(options: ProjectionStatusOptions): Promise<ProjectionStatusRow[]> {
  const states = new Map((await options.store.listStates()).map((s) => [s.name, s]));
  const names = [...new Set([...options.projections.map((p) => p.name), ...states.keys()])].filter(
    (n) => n !== OPERATIONS_BOARD && !n.startsWith('_'),
  );
  return Promise.all(
    names.map((name) =>
      statusOf(
        options,
        options.projections.find((p) => p.name === name),
        states.get(name),
        name,
      ),
    ),
  );
}

async function statusOf(
  o: ProjectionStatusOptions,
  projection: Projection<ReadDocument> | undefined,
  state: ProjectionState | undefined,
  name: string,
): Promise<ProjectionStatusRow> {
  const filter = {
    streamPrefixes: [TASK_STREAM_PREFIX],
    ...(projection ? { eventTypes: projection.handles } : {}),
  };
  const clock = o.clock ?? (() => new Date());
  const lag = await measureLag(
    o.eventStore,
    filter,
    state?.checkpoint?.position,
    o.lagCountLimit ?? 10_000,
    clock,
    name,
  );
  const parked = await o.store.countParked(name);
  const shadow = state?.shadow;
  const holder =
    shadow && state?.status === 'rebuilding' ? await leaseHolder(o.store, rebuildLeaseName(name)) : undefined;
  const fraction = shadow && positionFraction(shadow.checkpoint?.position, lag.head);
  const caughtUpFraction =
    state && lag.eventsBehind > 0 ? positionFraction(state.checkpoint?.position, lag.head) : undefined;
  return {
    name,
    ...(projection ? { codeVersion: projection.version } : {}),
    ...(state ? { storedVersion: state.version, liveTarget: state.liveTarget } : {}),
    state: state?.status ?? 'not started',
    ...(shadow
      ? {
          rebuild: {
            target: shadow.target,
            version: shadow.version,
            ...(shadow.checkpoint ? { checkpoint: shadow.checkpoint.position } : {}),
            ...(fraction !== undefined ? { percent: Math.floor(fraction * 100) } : {}),
            ...(holder ? { holder: holderText(holder) } : {}),
          },
        }
      : {}),
    ...(state?.checkpoint ? { checkpoint: state.checkpoint.position } : {}),
    ...(caughtUpFraction !== undefined ? { catchUpPercent: Math.floor(caughtUpFraction * 100) } : {}),
    ...(lag.head ? { head: lag.head } : {}),
    eventsBehind: lag.eventsBehind,
    eventsBehindCapped: lag.eventsBehindCapped,
    secondsBehind: Math.round(lag.secondsBehind * 10) / 10,
    parked,
    ...(state?.lastError ? { lastError: state.lastError } : {}),
  };
}
