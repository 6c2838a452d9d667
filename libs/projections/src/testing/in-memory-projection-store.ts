import {
  parkedEventId,
  StaleTargetError,
  type Checkpoint,
  type CommitResult,
  type DocumentWrite,
  type ListParkedOptions,
  type NewParkedEvent,
  type ParkedEvent,
  type ProjectionState,
  type ProjectionStatus,
  type ProjectionStore,
  type ScanOptions,
  type ShadowTargetOptions,
  type StoredDocument,
  type TargetState,
} from '../core';

interface Target {
  state: TargetState;
  docs: Map<string, StoredDocument<unknown>>;
}

interface Projection {
  name: string;
  live: string;
  shadow?: string;
  status: ProjectionStatus;
  lastError?: string;
  updatedAt: Date;
}

const clone = <T>(value: T): T => structuredClone(value);

/**
 * The port's semantics in plain maps: the engine's unit tests run on it, and it passes the same
 * contract suite as the real adapters, so it cannot drift from them. Documents are cloned in
 * and out, as a real store serialises them.
 */
export class InMemoryProjectionStore implements ProjectionStore {
  private readonly projections = new Map<string, Projection>();
  private readonly targets = new Map<string, Target>();
  private readonly parked = new Map<string, ParkedEvent>();
  private readonly leases = new Map<string, { owner: string; expiresAt: number }>();
  private sequence = 0;

  constructor(private readonly clock: () => Date = () => new Date()) {}

  private target(name: string): Target {
    const t = this.targets.get(name);
    if (!t) throw new StaleTargetError(name);
    return t;
  }

  private newTarget(projection: string, version: number, deferIndexes = false): TargetState {
    const now = this.clock();
    const state: TargetState = {
      target: `${projection}_g${++this.sequence}`,
      projection,
      version,
      ...(deferIndexes ? { indexesDeferred: true } : {}),
      createdAt: now,
      updatedAt: now,
    };
    this.targets.set(state.target, { state, docs: new Map() });
    return state;
  }

  private stateOf(p: Projection): ProjectionState {
    const live = this.target(p.live).state;
    const shadow = p.shadow ? this.targets.get(p.shadow)?.state : undefined;
    return {
      name: p.name,
      version: live.version,
      liveTarget: live.target,
      ...(live.checkpoint ? { checkpoint: live.checkpoint } : {}),
      ...(shadow ? { shadow } : {}),
      status: p.status,
      ...(p.lastError !== undefined ? { lastError: p.lastError } : {}),
      updatedAt: p.updatedAt,
    };
  }

  private setCheckpoint(t: Target, checkpoint: Checkpoint | undefined): void {
    const { checkpoint: _old, ...rest } = t.state;
    t.state = { ...rest, ...(checkpoint ? { checkpoint } : {}), updatedAt: this.clock() };
  }

  async registerProjection(name: string, version: number): Promise<ProjectionState> {
    let p = this.projections.get(name);
    if (!p) {
      p = { name, live: this.newTarget(name, version).target, status: 'stopped', updatedAt: this.clock() };
      this.projections.set(name, p);
    }
    return this.stateOf(p);
  }

  async getState(name: string): Promise<ProjectionState | undefined> {
    const p = this.projections.get(name);
    return p && this.stateOf(p);
  }

  async listStates(): Promise<ProjectionState[]> {
    return [...this.projections.values()]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((p) => this.stateOf(p));
  }

  async setStatus(name: string, status: ProjectionStatus, lastError?: string | null): Promise<void> {
    const p = this.projections.get(name);
    if (!p) return;
    p.status = status;
    p.updatedAt = this.clock();
    if (lastError === null) delete p.lastError;
    else if (lastError !== undefined) p.lastError = lastError;
  }

  async getTarget(target: string): Promise<TargetState | undefined> {
    return this.targets.get(target)?.state;
  }

  async loadDocuments<Doc>(
    target: string,
    ids: readonly string[],
  ): Promise<Map<string, StoredDocument<Doc>>> {
    const t = this.target(target);
    const found = ids.flatMap((id) => {
      const d = t.docs.get(id);
      return d ? [[id, clone(d) as StoredDocument<Doc>] as const] : [];
    });
    return new Map(found);
  }

  async commitBatch<Doc extends { readonly tenantId: string }>(
    target: string,
    writes: readonly DocumentWrite<Doc>[],
    checkpoint?: Checkpoint,
    parked?: readonly NewParkedEvent[],
  ): Promise<CommitResult> {
    const t = this.target(target);
    let applied = 0;
    for (const w of writes) {
      const stored = t.docs.get(w.id);
      const passes =
        !stored ||
        (w.guard === 'not-older' ? stored.positionKey <= w.positionKey : stored.positionKey < w.positionKey);
      if (!passes || (!stored && !w.doc)) continue;
      if (w.doc)
        t.docs.set(w.id, clone({ id: w.id, doc: w.doc, position: w.position, positionKey: w.positionKey }));
      else t.docs.delete(w.id);
      applied++;
    }
    if (parked?.length) await this.addParked(parked);
    if (checkpoint && (!t.state.checkpoint || t.state.checkpoint.key < checkpoint.key))
      this.setCheckpoint(t, checkpoint);
    return { applied, skipped: writes.length - applied };
  }

  async resetCheckpoint(target: string, checkpoint: Checkpoint | undefined): Promise<void> {
    this.setCheckpoint(this.target(target), checkpoint);
  }

  async scanDocuments<Doc>(
    target: string,
    { afterId = '', limit }: ScanOptions,
  ): Promise<StoredDocument<Doc>[]> {
    const ids = [...this.target(target).docs.keys()]
      .filter((id) => id > afterId)
      .sort()
      .slice(0, limit);
    return [...(await this.loadDocuments<Doc>(target, ids)).values()];
  }

  async addParked(events: readonly NewParkedEvent[]): Promise<void> {
    for (const e of events) {
      const id = parkedEventId(e.projection, e.eventId);
      const before = this.parked.get(id);
      this.parked.set(id, { ...e, id, attempts: (before?.attempts ?? 0) + 1, parkedAt: this.clock() });
    }
  }

  async listParked({ projection, limit = 100, after }: ListParkedOptions = {}): Promise<ParkedEvent[]> {
    const order = (p: ParkedEvent) => `${p.positionKey}\u0000${p.id}`;
    const from = after !== undefined ? this.parked.get(after) : undefined;
    return [...this.parked.values()]
      .filter((p) => projection === undefined || p.projection === projection)
      .filter((p) => after === undefined || (from !== undefined && order(p) > order(from)))
      .sort((a, b) => (order(a) < order(b) ? -1 : 1))
      .slice(0, limit);
  }

  async getParked(id: string): Promise<ParkedEvent | undefined> {
    return this.parked.get(id);
  }

  async removeParked(id: string): Promise<boolean> {
    return this.parked.delete(id);
  }

  async countParked(projection?: string): Promise<number> {
    return [...this.parked.values()].filter((p) => projection === undefined || p.projection === projection)
      .length;
  }

  async acquireLease(name: string, owner: string, ttlMs: number, now = this.clock()): Promise<boolean> {
    const held = this.leases.get(name);
    if (held && held.owner !== owner && held.expiresAt > now.getTime()) return false;
    this.leases.set(name, { owner, expiresAt: now.getTime() + ttlMs });
    return true;
  }

  async renewLease(name: string, owner: string, ttlMs: number, now = this.clock()): Promise<boolean> {
    const held = this.leases.get(name);
    if (!held || held.owner !== owner) return false;
    held.expiresAt = now.getTime() + ttlMs;
    return true;
  }

  async releaseLease(name: string, owner: string): Promise<void> {
    if (this.leases.get(name)?.owner === owner) this.leases.delete(name);
  }

  async createShadowTarget(
    name: string,
    version: number,
    options: ShadowTargetOptions = {},
  ): Promise<TargetState> {
    const p = this.projections.get(name);
    if (!p) throw new Error(`projection ${name} is not registered`);
    if (p.shadow) this.targets.delete(p.shadow);
    const shadow = this.newTarget(name, version, options.deferIndexes);
    p.shadow = shadow.target;
    return shadow;
  }

  /** Maps have no indexes: only the flag moves, as the real stores report it. */
  async prepareSwitch(target: string): Promise<void> {
    this.buildDeferred(this.target(target));
  }

  private buildDeferred(t: Target): void {
    if (!t.state.indexesDeferred) return;
    const { indexesDeferred: _, ...rest } = t.state;
    t.state = rest;
  }

  async switchLive(name: string, target: string): Promise<void> {
    const p = this.projections.get(name);
    if (!p || p.shadow !== target || !this.targets.has(target)) throw new StaleTargetError(target);
    this.buildDeferred(this.target(target));
    this.targets.delete(p.live);
    p.live = target;
    delete p.shadow;
    p.updatedAt = this.clock();
  }

  async dropTarget(target: string): Promise<void> {
    const ps = [...this.projections.values()];
    if (ps.some((p) => p.live === target)) throw new Error(`refusing to drop ${target}: it is a live target`);
    for (const p of ps) if (p.shadow === target) delete p.shadow;
    this.targets.delete(target);
  }

  async dropOrphanTargets(): Promise<string[]> {
    const used = new Set(
      [...this.projections.values()].flatMap((p) => [p.live, ...(p.shadow ? [p.shadow] : [])]),
    );
    const orphans = [...this.targets.keys()].filter((t) => !used.has(t));
    for (const t of orphans) this.targets.delete(t);
    return orphans;
  }

  async close(): Promise<void> {}
}
