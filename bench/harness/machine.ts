import { readFileSync } from 'node:fs';
import { cpus, freemem, loadavg, platform, release, totalmem } from 'node:os';
import Database from 'better-sqlite3';

/** What the figures were measured on; load averages say how busy the shared machine was. */
export function describeMachine(): Record<string, unknown> {
  const cpu = cpus();
  const db = new Database(':memory:');
  const sqlite = (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
  db.close();
  return {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    freeMemoryGb: Math.round(freemem() / 1024 ** 3),
    os: `${platform()} ${release()}`,
    node: process.version,
    sqlite,
    loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
    pressureAtStart: pressure(),
  };
}

/** Share of time (%) in which some task waited, over the last 10 and 60 s. */
export interface Stall {
  readonly avg10: number;
  readonly avg60: number;
}

/** `some avg10=… avg60=…` of a /proc/pressure file; undefined if it has no such line. */
export function parseStall(text: string): Stall | undefined {
  const some = /^some avg10=([\d.]+) avg60=([\d.]+)/m.exec(text);
  return some ? { avg10: Number(some[1]), avg60: Number(some[2]) } : undefined;
}

/**
 * Linux pressure stall information. A load average counts tasks, not what they wait for: on this
 * VM, with nothing of ours running, I/O waits stalled 10-50% of the time while the cores were idle,
 * and in those minutes read-your-writes measured p50 50-80 ms instead of 1 ms, on this commit and
 * on the one before it alike. Undefined where the kernel does not expose it.
 */
export function pressure(): { readonly cpu?: Stall; readonly io?: Stall } | undefined {
  const read = (resource: string) => {
    try {
      return parseStall(readFileSync(`/proc/pressure/${resource}`, 'utf8'));
    } catch {
      return undefined;
    }
  };
  const cpu = read('cpu');
  const io = read('io');
  return cpu || io ? { cpu, io } : undefined;
}
