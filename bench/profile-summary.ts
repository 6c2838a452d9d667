import { readFileSync } from 'node:fs';

/**
 * Summarises a V8 `.cpuprofile` (from `npm run bench -- --profile <dir>`, i.e. `node --cpu-prof`):
 * self time by package or file, by function, and for the top functions the call paths that lead
 * to them, which is what the README's findings quote.
 * `node dist/bench/profile-summary.js <file.cpuprofile> [top=25] [skipSeconds=0]`
 */
interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: number[];
}
interface Profile {
  readonly nodes: ProfileNode[];
  readonly samples: number[];
  readonly timeDeltas: number[];
}

const where = (f: CallFrame): string => {
  const url = f.url.replace(/^file:\/\//, '').replace(/^.*?\/(dist|node_modules)\//, '$1/');
  return url ? `${url}:${f.lineNumber + 1}` : '';
};
const label = (f: CallFrame): string => `${f.functionName || '(anonymous)'} ${where(f)}`.trim();

/** "better-sqlite3", "@nestjs/core", "dist/libs/event-store/...", or "(garbage collector)". */
const owner = (f: CallFrame): string => {
  const url = f.url.replace(/^file:\/\//, '');
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + 1);
  return url || f.functionName;
};

export function summarise(profile: Profile, top = 25, skipSeconds = 0): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  let t = 0;
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    if (t < skipSeconds * 1e6) return;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  const byOwner = new Map<string, number>();
  const byFn = new Map<string, number>();
  const paths = new Map<string, Map<string, number>>();
  for (const [id, us] of self) {
    const f = byId.get(id)!.callFrame;
    add(byOwner, owner(f), us);
    add(byFn, label(f), us);
    // The nearest three callers that are not the function itself: enough to name the culprit.
    const chain: string[] = [];
    for (let p = parent.get(id); p !== undefined && chain.length < 3; p = parent.get(p)) {
      const pf = byId.get(p)!.callFrame;
      if (pf.functionName && pf.functionName !== '(root)') chain.push(label(pf));
    }
    const m = paths.get(label(f)) ?? new Map<string, number>();
    add(m, chain.join(' <- ') || '(root)', us);
    paths.set(label(f), m);
  }
  // Inclusive: each sample counts once for every distinct function on its stack.
  const inclusive = new Map<string, number>();
  for (const [id, us] of self) {
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const f = byId.get(n)!.callFrame;
      if (f.functionName === '(root)') continue;
      const k = label(f);
      if (!seen.has(k)) {
        seen.add(k);
        add(inclusive, k, us);
      }
    }
  }
  const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, top);
  const out = [
    `total sampled ${(total / 1000).toFixed(0)} ms (after skipping ${skipSeconds} s)`,
    '',
    'self time by package / file:',
  ];
  for (const [k, us] of sorted(byOwner)) out.push(`${pct(us)}  ${k}`);
  out.push('', 'self time by function (top callers):');
  for (const [k, us] of sorted(byFn)) {
    out.push(`${pct(us)}  ${k}`);
    for (const [chain, cus] of sorted(paths.get(k)!).slice(0, 2))
      out.push(`          ${pct(cus)} <- ${chain}`);
  }
  out.push('', 'inclusive time (the function and everything it calls):');
  for (const [k, us] of sorted(inclusive)) out.push(`${pct(us)}  ${k}`);
  return out.join('\n');
}

if (require.main === module) {
  const [file, top, skip] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node dist/bench/profile-summary.js <file.cpuprofile> [top] [skipSeconds]');
    process.exitCode = 2;
  } else {
    console.log(
      summarise(JSON.parse(readFileSync(file, 'utf8')) as Profile, Number(top ?? 25), Number(skip ?? 0)),
    );
  }
}
