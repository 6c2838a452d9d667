import { CURRENT_SCHEMA_VERSION, TASK_EVENT_TYPES, type TaskEvent, type TaskEventType } from '../task.events';
import { taskCreatedV1ToV2 } from './task-created.v1.upcaster';
import { UpcastError, type StoredEvent, type Upcaster } from './upcaster';

export const UPCASTERS: readonly Upcaster[] = [taskCreatedV1ToV2];

const isTaskEventType = (type: string): type is TaskEventType =>
  (TASK_EVENT_TYPES as readonly string[]).includes(type);

const find = (
  upcasters: readonly Upcaster[],
  type: TaskEventType,
  fromVersion: number,
): Upcaster | undefined => upcasters.find((u) => u.type === type && u.fromVersion === fromVersion);

/** Every version step below the current one must have its upcaster, or reading old streams breaks. */
export const missingUpcasters = (upcasters: readonly Upcaster[] = UPCASTERS): string[] =>
  TASK_EVENT_TYPES.flatMap((type) =>
    Array.from({ length: CURRENT_SCHEMA_VERSION[type] - 1 }, (_, i) => i + 1)
      .filter((v) => !find(upcasters, type, v))
      .map((v) => `${type} v${v} -> v${v + 1}`),
  );

/**
 * Brings a stored event to the current shape of its type, one version at a time, and stamps
 * the current schemaVersion. A missing schemaVersion means 1: events written before it existed.
 * @example upcast(recorded) // TaskCreated v1 { body, priority: 3 } -> v2 { description, priority: 'high' }
 */
export const upcast = (stored: StoredEvent, upcasters: readonly Upcaster[] = UPCASTERS): TaskEvent => {
  const { type, metadata } = stored;
  if (!isTaskEventType(type)) throw new UpcastError(`unknown task event type "${type}"`, type);
  const stamped = metadata.schemaVersion;
  const current = CURRENT_SCHEMA_VERSION[type];
  const from = stamped ?? 1;
  if (typeof from !== 'number' || !Number.isInteger(from) || from < 1) {
    throw new UpcastError(`${type} has an invalid schemaVersion ${JSON.stringify(stamped)}`, type, stamped);
  }
  if (from > current) {
    // Written by newer code than this one: guessing a downgrade would silently lose data.
    throw new UpcastError(`${type} v${from} is newer than the v${current} this code knows`, type, from);
  }
  if (typeof stored.data !== 'object' || stored.data === null) {
    throw new UpcastError(
      `${type} data is ${stored.data === null ? 'null' : typeof stored.data}, not an object`,
      type,
      from,
    );
  }
  let data: unknown = stored.data;
  for (let version = from; version < current; version++) {
    const step = find(upcasters, type, version);
    if (!step) throw new UpcastError(`no upcaster for ${type} v${version} -> v${version + 1}`, type, version);
    data = step.upcast(data);
  }
  return { type, data, metadata: { ...metadata, schemaVersion: current } } as unknown as TaskEvent;
};
