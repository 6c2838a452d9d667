/**
 * Reading the CLI's `--json` documents without depending on how `--all` nests its per-projection
 * reports: every object that names a `projection` and carries `findings` is one report.
 */
export interface Finding {
  readonly kind: 'changed' | 'missing' | 'extra';
  readonly id: string;
  readonly fields?: readonly { field: string }[];
}

export interface ProjectionReport {
  readonly projection: string;
  readonly findings: readonly Finding[];
  readonly changed?: number;
  readonly missing?: number;
  readonly extra?: number;
  readonly fixed?: number;
  readonly unresolved?: number;
  readonly truncated?: boolean;
  readonly ok?: boolean;
  readonly [key: string]: unknown;
}

export function collectReports(json: unknown): ProjectionReport[] {
  const found: ProjectionReport[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== 'object') return;
    const o = v as Record<string, unknown>;
    if (typeof o.projection === 'string' && Array.isArray(o.findings)) {
      found.push(o as unknown as ProjectionReport);
      return;
    }
    Object.values(o).forEach(walk);
  };
  walk(json);
  return found;
}

/** `projection|kind|id` for every finding of every report, sorted. */
export const findingKeys = (reports: readonly ProjectionReport[]): string[] =>
  reports.flatMap((r) => r.findings.map((f) => `${r.projection}|${f.kind}|${f.id}`)).sort();
