import type { DocumentDrift } from '@ledger/projections';
import { shortValue } from './table';

/** One line per drifted document, e.g. `tasks changed 5f0c… title: "b" -> "a"`. */
export function driftLine(projection: string, d: DocumentDrift, prefix = ''): string {
  const head = `${prefix}${projection} ${d.kind.padEnd(7)} ${d.id}`;
  switch (d.kind) {
    case 'changed':
      return `${head}  ${d.fields.map((f) => `${f.field}: ${shortValue(f.stored, 40)} -> ${shortValue(f.expected, 40)}`).join(', ')}\n`;
    case 'missing':
      return `${head}  (not in the read model; its streams produce it)\n`;
    case 'extra':
      return `${head}  (in the read model; no stream produces it)\n`;
  }
}
