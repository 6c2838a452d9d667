import type { AutocannonRequest, AutocannonStep } from './autocannon';

/** One connection's state for one pass through the flow; autocannon resets it every pass. */
export interface FlowContext {
  key?: string;
  pass?: number;
  id?: string;
  position?: string;
}

export interface FlowReport {
  passes: number;
  byStep: Record<string, Record<number, number>>;
  /** Responses whose status (or replay header) was not the one the step intends: must stay empty. */
  unexpected: string[];
}

interface Step {
  readonly name: string;
  readonly expect: number;
  readonly build: (ctx: FlowContext) => AutocannonRequest;
  readonly after?: (body: string, ctx: FlowContext, headers: Record<string, string>) => string | void;
}

// autocannon hands headers over with the server's own spelling.
const header = (headers: Record<string, string>, name: string) =>
  Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];

const completes = (ctx: FlowContext) => (ctx.pass ?? 0) % 4 !== 0;

/**
 * A task's life as clients live it, one task per pass, 50 passes in parallel: create, read it
 * back at its own position (read-your-writes under load), start, comment, a stale If-Match
 * (the one intended non-2xx: 409), an assignment sent twice with one Idempotency-Key (the second
 * must be a replay), then complete or not, list, and archive / reopen / read stats. Ending states
 * are mixed so that the stats fold has every status to count.
 */
const STEPS: readonly Step[] = [
  {
    name: 'create',
    expect: 201,
    build: (ctx) => ({
      method: 'POST',
      path: '/v1/tasks',
      body: JSON.stringify({
        title: `load ${ctx.pass}`,
        priority: 'high',
        labels: [`l${(ctx.pass ?? 0) % 7}`],
      }),
    }),
    after: (body, ctx) => {
      const res = JSON.parse(body) as { id: string; position: string };
      ctx.id = res.id;
      ctx.position = res.position;
    },
  },
  {
    name: 'read-own-write',
    expect: 200,
    build: (ctx) => ({
      method: 'GET',
      path: `/v1/tasks/${ctx.id}`,
      headers: { 'X-Min-Position': ctx.position! },
    }),
    after: (body) => (JSON.parse(body).status === 'todo' ? undefined : `read its own write as ${body}`),
  },
  { name: 'start', expect: 200, build: (ctx) => ({ method: 'POST', path: `/v1/tasks/${ctx.id}/start` }) },
  {
    name: 'comment',
    expect: 201,
    build: (ctx) => ({
      method: 'POST',
      path: `/v1/tasks/${ctx.id}/comments`,
      body: JSON.stringify({ body: 'on it' }),
    }),
  },
  {
    name: 'stale-if-match',
    expect: 409,
    build: (ctx) => ({
      method: 'PATCH',
      path: `/v1/tasks/${ctx.id}`,
      headers: { 'If-Match': '"0"' },
      body: JSON.stringify({ title: 'lost update' }),
    }),
    after: (body) =>
      JSON.parse(body).currentRevision === 2 ? undefined : `409 without currentRevision 2: ${body}`,
  },
  ...(['assign', 'assign-retry'] as const).map((name): Step => ({
    name,
    expect: 200,
    build: (ctx) => ({
      method: 'POST',
      path: `/v1/tasks/${ctx.id}/assign`,
      headers: { 'Idempotency-Key': `assign-${ctx.id}` },
      body: JSON.stringify({ assignee: `user-${(ctx.pass ?? 0) % 5}` }),
    }),
    after: (_, __, headers) =>
      name === 'assign-retry' && header(headers, 'idempotent-replayed') !== 'true'
        ? 'retry was not a replay'
        : undefined,
  })),
  {
    name: 'complete-or-history',
    expect: 200,
    build: (ctx) =>
      completes(ctx)
        ? { method: 'POST', path: `/v1/tasks/${ctx.id}/complete` }
        : { method: 'GET', path: `/v1/tasks/${ctx.id}/history` },
  },
  {
    name: 'list',
    expect: 200,
    build: () => ({ method: 'GET', path: '/v1/tasks?status=done&sort=-updatedAt&limit=20' }),
  },
  {
    name: 'archive-reopen-or-stats',
    expect: 200,
    build: (ctx) => {
      const pass = ctx.pass ?? 0;
      if (pass % 3 === 0) return { method: 'POST', path: `/v1/tasks/${ctx.id}/archive` };
      if (pass % 3 === 1 && completes(ctx)) return { method: 'POST', path: `/v1/tasks/${ctx.id}/reopen` };
      return { method: 'GET', path: '/v1/stats' };
    },
  },
];

/** The autocannon request sequence for `keys` (used in turn, one per pass), and the report it fills. */
export function taskFlow(keys: readonly string[]): {
  steps: Array<AutocannonStep<FlowContext>>;
  report: FlowReport;
} {
  const report: FlowReport = { passes: 0, byStep: {}, unexpected: [] };
  let passes = 0;
  const steps = STEPS.map((step, index): AutocannonStep<FlowContext> => ({
    setupRequest: (req, ctx) => {
      if (index === 0) {
        ctx.pass = passes++;
        ctx.key = keys[ctx.pass % keys.length];
      } else if (!ctx.id) {
        return undefined; // the create failed (and was reported): start a new pass
      }
      const built = step.build(ctx);
      return {
        ...req,
        ...built,
        headers: { Authorization: `Bearer ${ctx.key}`, 'Content-Type': 'application/json', ...built.headers },
      };
    },
    onResponse: (status, body, ctx, headers) => {
      const counts = (report.byStep[step.name] ??= {});
      counts[status] = (counts[status] ?? 0) + 1;
      const problem =
        status !== step.expect
          ? `${status} (wanted ${step.expect}): ${body.slice(0, 300)}`
          : step.after?.(body, ctx, headers);
      if (problem) report.unexpected.push(`${step.name} [${ctx.key} ${ctx.id ?? '-'}] ${problem}`);
      if (index === STEPS.length - 1) report.passes++;
    },
  }));
  return { steps, report };
}
