export interface FieldDifference {
  readonly field: string;
  readonly stored: unknown;
  readonly expected: unknown;
}

/** One document of a read model that differs from what its streams say. */
export type DocumentDrift =
  | { readonly kind: 'changed'; readonly id: string; readonly fields: readonly FieldDifference[] }
  | { readonly kind: 'missing'; readonly id: string; readonly expected: unknown }
  | { readonly kind: 'extra'; readonly id: string; readonly stored: unknown };

/** Key order never matters: a store may return `{ b, a }` for `{ a, b }`. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

/** The document as a store gives it back: JSON drops undefined fields, so compare that form. */
const asStored = (doc: unknown): unknown => (doc === undefined ? undefined : JSON.parse(JSON.stringify(doc)));

/**
 * Compares a stored document with its recomputation, top-level field by field. Absent and null
 * expected mean the document must not exist. Pure: verify, repair and replay share it.
 * @example diffDocument('t1', { title: 'b' }, { title: 'a' }) // changed: title 'b' -> 'a'
 */
export function diffDocument(id: string, stored: unknown, expected: unknown): DocumentDrift | undefined {
  const want = expected === null ? undefined : asStored(expected);
  if (stored === undefined) return want === undefined ? undefined : { kind: 'missing', id, expected: want };
  if (want === undefined) return { kind: 'extra', id, stored };
  const a = stored as Record<string, unknown>;
  const b = want as Record<string, unknown>;
  const fields: FieldDifference[] = [];
  for (const field of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    if (canonicalJson(a[field]) !== canonicalJson(b[field]))
      fields.push({ field, stored: a[field], expected: b[field] });
  }
  return fields.length ? { kind: 'changed', id, fields } : undefined;
}
