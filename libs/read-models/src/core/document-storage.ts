/**
 * How a projection's documents are stored so queries stay index range scans. Declared once here
 * and read by every adapter: SQLite turns `fields` into generated columns over the JSON body
 * and `arrays` into side tables; MongoDB indexes the same paths directly (arrays are multikey).
 * Every index starts with the tenant and ends with the document id, the keyset tiebreak.
 */
export interface StoredField {
  /** Top-level key of the JSON document. */
  readonly path: string;
  /**
   * Stored instead of null, so ascending order puts missing values last (SQLite and MongoDB
   * both sort null first). Queries compare with the same sentinel.
   */
  readonly nullAs?: string;
}

export interface StoredArray {
  /** Top-level key of a string array in the document. */
  readonly path: string;
  /** Fields copied beside each value so `value = ? ORDER BY field, id` is one range scan. */
  readonly sortFields: readonly string[];
}

export interface DocumentStorage {
  readonly fields: Readonly<Record<string, StoredField>>;
  /** Field lists, each indexed as (tenantId, ...fields, id). */
  readonly indexes: readonly (readonly string[])[];
  readonly arrays: Readonly<Record<string, StoredArray>>;
}

export const PLAIN_STORAGE: DocumentStorage = { fields: {}, indexes: [], arrays: {} };

/** Sentinel for a missing due date: after every ISO date-time, so undated tasks sort last. */
export const NO_DUE_DATE = '~';

const TASK_SORT_FIELDS = ['createdAt', 'dueAt', 'updatedAt'] as const;
const TASK_FILTER_FIELDS = ['status', 'assignee', 'priority'] as const;

/**
 * The tasks list: any one filter (status, assignee, priority, label) with any sort (createdAt
 * either way, dueAt, -updatedAt) is a range scan on one index; a second filter is checked on the
 * rows that scan yields. 12 indexes + 3 on the label side table: the read model trades write
 * cost for reads that never sort or scan a tenant's whole list.
 */
export const TASKS_STORAGE: DocumentStorage = {
  fields: {
    status: { path: 'status' },
    assignee: { path: 'assignee' },
    priority: { path: 'priority' },
    createdAt: { path: 'createdAt' },
    dueAt: { path: 'dueAt', nullAs: NO_DUE_DATE },
    updatedAt: { path: 'updatedAt' },
  },
  indexes: [
    ...TASK_SORT_FIELDS.map((s) => [s]),
    ...TASK_FILTER_FIELDS.flatMap((f) => TASK_SORT_FIELDS.map((s) => [f, s])),
  ],
  arrays: { labels: { path: 'labels', sortFields: TASK_SORT_FIELDS } },
};

/** Storage per projection name; a projection not listed is stored plainly (id, tenant, body). */
export const READ_MODEL_STORAGE: Readonly<Record<string, DocumentStorage>> = { tasks: TASKS_STORAGE };
