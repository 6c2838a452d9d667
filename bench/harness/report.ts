/** One figure of the run, printed as one table row and stored as-is in the JSON. */
export interface Metric {
  readonly scenario: string;
  readonly name: string;
  readonly value: number | null;
  readonly unit: string;
  /** What it is measured against in the same run, e.g. "raw 16,950/s -> 71%". */
  readonly beside?: string;
  readonly target?: Target;
  /** Filled by `judge` from the target. */
  readonly met?: boolean;
}

export interface Target {
  readonly op: '>=' | '<';
  readonly value: number;
  /** As the issue states it, e.g. ">= 70% of raw". */
  readonly text: string;
}

export interface Skipped {
  readonly scenario: string;
  readonly reason: string;
}

export interface BenchReport {
  readonly mode: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationS: number;
  readonly machine: Record<string, unknown>;
  readonly sizes: unknown;
  readonly metrics: Metric[];
  readonly skipped: Skipped[];
  /** Per-scenario raw figures (latency summaries, counts, realised mix) beyond the table. */
  readonly details: Record<string, unknown>;
}

export function judge(metric: Metric): Metric {
  const { target, value } = metric;
  if (!target || value === null) return metric;
  return { ...metric, met: target.op === '>=' ? value >= target.value : value < target.value };
}

const formatValue = (m: Metric): string => {
  if (m.value === null) return 'n/a';
  const digits = m.unit === 'ms' && m.value < 100 ? 2 : m.unit === 'x' ? 2 : 0;
  return `${m.value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })} ${m.unit}`;
};

const cell = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - text.length));

/** A plain-text table; the same rows go into the README as Markdown (`markdownTable`). */
export function textTable(metrics: readonly Metric[]): string {
  const rows = tableRows(metrics);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => cell(c, widths[i]))
      .join('  ')
      .trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

export function markdownTable(metrics: readonly Metric[]): string {
  const rows = tableRows(metrics).map((r) => r.map((c) => c.replace(/\|/g, '\\|')));
  return [
    `| ${rows[0].join(' | ')} |`,
    `|${rows[0].map(() => '---').join('|')}|`,
    ...rows.slice(1).map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function tableRows(metrics: readonly Metric[]): string[][] {
  const header = ['scenario', 'measure', 'value', 'beside it (same run)', 'target', 'met'];
  return [
    header,
    ...metrics.map((m) => [
      m.scenario,
      m.name,
      formatValue(m),
      m.beside ?? '',
      m.target?.text ?? '',
      m.met === undefined ? '' : m.met ? 'yes' : 'NO',
    ]),
  ];
}

export const fmt = (n: number | null | undefined, digits = 0): string =>
  n === null || n === undefined || Number.isNaN(n)
    ? 'n/a'
    : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
