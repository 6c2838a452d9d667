import type { LoadRequest } from '../harness/http-load';
import { pick, prng } from '../harness/stats';
import { LABELS, USERS } from '../fixtures/task-histories';

type Status = 'todo' | 'in_progress' | 'done';
interface PoolTask {
  readonly id: string;
  status: Status;
  assignee: string | null;
}

export type CommandKind = 'create' | 'change' | 'assign' | 'start' | 'complete' | 'comment';

interface Sent extends LoadRequest {
  readonly kind: CommandKind;
  readonly task?: PoolTask;
}

/**
 * The mix (create 30%, change/assign/start/complete 60%, comment 10%) made only of
 * commands that are valid when sent, so that any non-2xx is a real error. Tasks are tracked
 * client-side and lent to one request at a time: two in-flight commands on one task could make a
 * start fail as "already started", which is the bench's fault, not the server's.
 */
export class CommandMix {
  private readonly random = prng(11);
  private readonly free: Record<Status, PoolTask[]> = { todo: [], in_progress: [], done: [] };
  private counter = 0;
  readonly sent: Record<CommandKind, number> = {
    create: 0,
    change: 0,
    assign: 0,
    start: 0,
    complete: 0,
    comment: 0,
  };
  readonly unexpected: { kind: string; status: number; body: string }[] = [];
  private unexpectedCount = 0;

  add(id: string, status: Status = 'todo', assignee: string | null = null): void {
    this.free[status].push({ id, status, assignee });
  }

  get poolSize(): number {
    return this.free.todo.length + this.free.in_progress.length + this.free.done.length;
  }

  get errors(): number {
    return this.unexpectedCount;
  }

  next = (): LoadRequest => {
    const r = this.random();
    const want: CommandKind =
      r < 0.3
        ? 'create'
        : r < 0.45
          ? 'change'
          : r < 0.6
            ? 'assign'
            : r < 0.75
              ? 'start'
              : r < 0.9
                ? 'complete'
                : 'comment';
    const req = this.build(want);
    this.sent[req.kind]++;
    return req;
  };

  onResponse = (request: LoadRequest, status: number, body: string): void => {
    const sent = request as Sent;
    const ok = status >= 200 && status < 300;
    if (!ok) {
      this.unexpectedCount++;
      if (this.unexpected.length < 10)
        this.unexpected.push({ kind: sent.kind, status, body: body.slice(0, 300) });
    }
    if (sent.kind === 'create') {
      if (ok) this.add((JSON.parse(body) as { id: string }).id);
      return;
    }
    const task = sent.task!;
    if (ok && sent.kind === 'start') task.status = 'in_progress';
    if (ok && sent.kind === 'complete') task.status = 'done';
    if (ok && sent.kind === 'assign') task.assignee = (sent.body as { assignee: string }).assignee;
    this.free[task.status].push(task);
  };

  /** Takes a random free task from the first non-empty list, or undefined. */
  private take(...lists: Status[]): PoolTask | undefined {
    for (const s of lists) {
      const list = this.free[s];
      if (list.length === 0) continue;
      const i = Math.floor(this.random() * list.length);
      const task = list[i];
      list[i] = list[list.length - 1];
      list.pop();
      return task;
    }
    return undefined;
  }

  private build(want: CommandKind): Sent {
    const n = ++this.counter;
    if (want === 'create') return createRequest(n, this.random);
    const task =
      want === 'start'
        ? this.take('todo')
        : want === 'complete'
          ? this.take('in_progress', 'todo')
          : this.take(
              ...(this.random() < 0.5
                ? (['done', 'in_progress', 'todo'] as const)
                : (['todo', 'in_progress', 'done'] as const)),
            );
    // No task in a state that allows the command (or none free at all): send a create instead.
    if (!task) return createRequest(n, this.random);
    const path = `/v1/tasks/${task.id}`;
    switch (want) {
      case 'start':
      case 'complete':
        return { kind: want, task, method: 'POST', path: `${path}/${want}` };
      case 'change':
        return { kind: want, task, method: 'PATCH', path, body: { title: `renamed ${n}` } };
      case 'assign': {
        let assignee = pick(this.random, USERS);
        while (assignee === task.assignee) assignee = pick(this.random, USERS);
        return { kind: want, task, method: 'POST', path: `${path}/assign`, body: { assignee } };
      }
      case 'comment':
        return {
          kind: want,
          task,
          method: 'POST',
          path: `${path}/comments`,
          body: { body: `comment ${n} on the task` },
        };
    }
  }
}

export function createRequest(n: number, random: () => number): Sent {
  return {
    kind: 'create',
    method: 'POST',
    path: '/v1/tasks',
    body: {
      title: `bench task ${n}`,
      description: 'created by npm run bench',
      priority: pick(random, ['low', 'normal', 'high', 'urgent']),
      assignee: pick(random, USERS),
      labels: [pick(random, LABELS)],
    },
  };
}
