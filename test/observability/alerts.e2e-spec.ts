import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyMetricsText } from '@ledger/platform/metrics';
import { auth, createTask, headPosition, startTestApp, type TestApp } from '../support/ledger-test-app';
import { parseExposition, type Exposition } from './exposition';

// js-yaml is a pinned devDependency; no types are installed for it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const yaml = require('js-yaml') as { load(text: string): unknown };

const ROOT = join(__dirname, '..', '..');

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: string };
  annotations: { summary: string; runbook_url: string };
}
interface RuleFile {
  groups: { name: string; rules: Rule[] }[];
}

/** Metric names in a PromQL expression: identifiers outside strings and label matchers. */
function metricNames(expr: string): string[] {
  const names = new Set<string>();
  let braces = 0;
  let quote: string | undefined;
  let word = '';
  const flush = () => {
    if (braces === 0 && word && !/^\d/.test(word)) names.add(word);
    word = '';
  };
  for (const ch of expr) {
    if (quote) {
      if (ch === quote) quote = undefined;
      continue;
    }
    const identifier =
      (ch >= 'a' && ch <= 'z') ||
      (ch >= 'A' && ch <= 'Z') ||
      (ch >= '0' && ch <= '9') ||
      ch === '_' ||
      ch === ':';
    if (identifier) {
      word += ch;
      continue;
    }
    flush();
    if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    else if (ch === '{') braces++;
    else if (ch === '}') braces--;
  }
  flush();
  // Keep metric names; PromQL's own words (sum, by, rate, and, or, le...) are never ours.
  return [...names].filter((n) => n.startsWith('ledger_') || n === 'up');
}

const HISTOGRAM_SUFFIXES = ['_bucket', '_count', '_sum'];

/** The family a sample name belongs to, as declared by `# TYPE`. */
function familyOf(e: Exposition, name: string): string | undefined {
  if (e.types.has(name)) return name;
  const suffix = HISTOGRAM_SUFFIXES.find((s) => name.endsWith(s));
  const base = suffix ? name.slice(0, -suffix.length) : undefined;
  return base && e.types.get(base) === 'histogram' ? base : undefined;
}

describe('ops/alerts.yml', () => {
  const file = yaml.load(readFileSync(join(ROOT, 'ops/alerts.yml'), 'utf8')) as RuleFile;
  const rules = file.groups.flatMap((g) => g.rules);
  const runbook = readFileSync(join(ROOT, 'docs/runbook.md'), 'utf8');

  it('has the alerts production needs, each with a severity, a summary and a runbook section', () => {
    expect(rules.map((r) => r.alert).sort()).toEqual(
      expect.arrayContaining([
        'LedgerProjectionLagHigh',
        'LedgerProjectionStalled',
        'LedgerParkedEvents',
        'LedgerHigh5xxRatio',
        'LedgerP99LatencyHigh',
        'LedgerStoreUnavailable',
        'LedgerReadModelDrift',
      ]),
    );
    for (const rule of rules) {
      expect(['page', 'ticket']).toContain(rule.labels.severity);
      expect(rule.annotations.summary).toBeTruthy();
      const anchor = rule.annotations.runbook_url.split('#')[1];
      expect(anchor).toBe(rule.alert.toLowerCase());
      // The section exists and says how to confirm and which `ledger` command (or step) fixes it.
      const section = runbook.split(/^## /m).find((s) => s.startsWith(`${rule.alert}\n`));
      expect({ alert: rule.alert, found: !!section }).toEqual({ alert: rule.alert, found: true });
      expect(section).toMatch(/\*\*Confirm\.\*\*/);
      expect(section).toMatch(/\*\*Fix\.\*\*/);
      expect(metricNames(rule.expr).length).toBeGreaterThan(0);
    }
  });

  describe('uses only metrics that really exist', () => {
    let t: TestApp;
    let exposition: Exposition;
    beforeAll(async () => {
      t = await startTestApp({ LEDGER_RATE_LIMIT_PER_MIN: '0' });
      const { id } = await createTask(t);
      await t.http().post(`/v1/tasks/${id}/start`).set(auth()).expect(200);
      await t
        .http()
        .get(`/v1/tasks/${id}`)
        .set(auth())
        .set('X-Min-Position', await headPosition(t))
        .expect(200);
      await t.http().get('/health/ready').expect(200);
      exposition = parseExposition((await t.http().get('/metrics').expect(200)).text);
    });
    afterAll(() => t.close());

    it('every ledger_* metric of an alert is served by /metrics with samples, or by the verify textfile', async () => {
      const verify = parseExposition(
        await verifyMetricsText([
          { projection: 'tasks', checkedDocuments: 10, driftedDocuments: 0, finishedAt: new Date() },
        ]),
      );
      const used = [...new Set(rules.flatMap((r) => metricNames(r.expr)))];
      expect(used).toEqual(
        expect.arrayContaining([
          'ledger_projection_lag_seconds',
          'ledger_projection_state',
          'ledger_http_request_duration_seconds_bucket',
          'ledger_store_errors_total',
          'ledger_verify_drifted_documents',
          'up',
        ]),
      );
      const missing = used.filter((name) => {
        if (name === 'up') return false; // written by Prometheus for every scrape target
        if (name.startsWith('ledger_verify_')) return !familyOf(verify, name);
        const family = familyOf(exposition, name);
        return !family || !exposition.samples.some((s) => s.name === name);
      });
      expect(missing).toEqual([]);
    });
  });
});
