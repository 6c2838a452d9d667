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
  };
}
