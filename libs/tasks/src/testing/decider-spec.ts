import type { CommandMetadata, TaskCommand, TaskCommandType } from '../task.commands';
import { decide, evolve, initialState } from '../task.decider';
import {
  CURRENT_SCHEMA_VERSION,
  type TaskEvent,
  type TaskEventMetadata,
  type UnstampedTaskEvent,
} from '../task.events';
import type { TaskState } from '../task.state';

export const TENANT = 'tenant-a';
export const OTHER_TENANT = 'tenant-b';
export const ACTOR = 'alice';
export const T0 = '2024-01-01T00:00:00.000Z';

/** Metadata a command handler would stamp; tests override only what they are about. */
export const stamp = <E extends UnstampedTaskEvent>(
  event: E,
  overrides: Partial<TaskEventMetadata> = {},
): Extract<TaskEvent, { type: E['type'] }> =>
  ({
    ...event,
    metadata: {
      tenantId: TENANT,
      actor: ACTOR,
      correlationId: 'correlation-1',
      causationId: 'causation-1',
      occurredAt: T0,
      schemaVersion: CURRENT_SCHEMA_VERSION[event.type],
      ...overrides,
    },
  }) as unknown as Extract<TaskEvent, { type: E['type'] }>;

type CommandOf<T extends TaskCommandType> = Extract<TaskCommand, { type: T }>;

export const command = <T extends TaskCommandType>(
  type: T,
  data: CommandOf<T>['data'],
  metadata: Partial<CommandMetadata> = {},
): CommandOf<T> =>
  ({ type, data, metadata: { tenantId: TENANT, actor: ACTOR, now: T0, ...metadata } }) as CommandOf<T>;

// Frozen inputs turn any mutation inside decide/evolve into a TypeError, so purity is tested for free.
const deepFreeze = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    Object.values(value).forEach(deepFreeze);
  }
  return value;
};

const isStamped = (event: TaskEvent | UnstampedTaskEvent): event is TaskEvent => 'metadata' in event;

/** Folds history; unstamped events get the default metadata (tenant-a, T0). */
export const fold = (events: readonly (TaskEvent | UnstampedTaskEvent)[]): TaskState =>
  events.map((e) => deepFreeze(isStamped(e) ? e : stamp(e))).reduce(evolve, initialState);

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/**
 * given(history).when(command).then(expectedEvents) | .thenThrows(ErrorClass).
 * `thenThrows` returns the error so a test can assert on its fields and details.
 */
export const given = (history: readonly (TaskEvent | UnstampedTaskEvent)[]) => ({
  when: (cmd: TaskCommand) => {
    const run = () => decide(deepFreeze(cmd), deepFreeze(fold(history)));
    return {
      then: (expected: readonly UnstampedTaskEvent[]): void => {
        expect(run()).toEqual(expected);
      },
      thenThrows: <E extends Error>(errorClass: ErrorClass<E>): E => {
        let result: UnstampedTaskEvent[];
        try {
          result = run();
        } catch (error) {
          expect(error).toBeInstanceOf(errorClass);
          return error as E;
        }
        throw new Error(`expected ${errorClass.name}, but decide returned ${JSON.stringify(result)}`);
      },
    };
  },
});
