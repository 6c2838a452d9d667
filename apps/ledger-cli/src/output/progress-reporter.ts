import { SingleBar } from 'cli-progress';
import type { CliIo } from '../cli-io';

export interface ProgressUpdate {
  /** Units done (events, documents, streams). */
  readonly done: number;
  readonly unit: string;
  /** 0..1 when known: drives the bar, the percentage and the ETA. */
  readonly fraction?: number;
  readonly phase?: string;
}

const LINE_EVERY_MS = 2_000;

export const formatDuration = (seconds: number): string => {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
};

export const formatCount = (n: number): string => Math.round(n).toLocaleString('en-US');

/**
 * A progress bar (cli-progress: count, rate, ETA) when stderr is a terminal; otherwise a plain
 * line every couple of seconds, so logs of a long CI or cron run show it moving. Both go to
 * stderr: stdout holds only the result (and, with --json, one JSON document).
 */
export class ProgressReporter {
  private readonly started = Date.now();
  private phaseStarted = Date.now();
  private bar?: SingleBar;
  private lastLine = 0;
  private last?: ProgressUpdate;

  constructor(
    private readonly io: CliIo,
    private readonly label: string,
  ) {}

  update(u: ProgressUpdate): void {
    // Each phase counts from zero again: its rate and ETA are its own.
    if (u.phase !== this.last?.phase) this.phaseStarted = Date.now();
    this.last = u;
    const elapsed = (Date.now() - this.phaseStarted) / 1000;
    const rate = elapsed > 0 ? u.done / elapsed : 0;
    const f = u.fraction;
    const eta = f !== undefined && f > 0 ? (elapsed / f) * (1 - f) : Number.NaN;
    const payload = {
      label: u.phase ? `${this.label} (${u.phase})` : this.label,
      pct: f === undefined ? '  ?%' : `${String(Math.floor(f * 100)).padStart(3)}%`,
      done: formatCount(u.done),
      unit: u.unit,
      rate: formatCount(rate),
      etaText: formatDuration(eta),
    };
    if (this.io.isTTY && this.io.barStream) {
      if (!this.bar) {
        this.bar = new SingleBar({
          stream: this.io.barStream,
          format: '{label} [{bar}] {pct} | {done} {unit} | {rate}/s | ETA {etaText}',
          hideCursor: true,
          clearOnComplete: false,
          fps: 5,
        });
        this.bar.start(1000, Math.round((f ?? 0) * 1000), payload);
      }
      this.bar.update(Math.round((f ?? 0) * 1000), payload);
      return;
    }
    const now = Date.now();
    if (now - this.lastLine < LINE_EVERY_MS) return;
    this.lastLine = now;
    this.io.err(
      `${payload.label}: ${payload.pct.trim()} | ${payload.done} ${u.unit} | ${payload.rate}/s | ETA ${payload.etaText}\n`,
    );
  }

  /** Ends the bar (a final line in plain mode when anything was shown). */
  stop(): void {
    if (this.bar) {
      this.bar.stop();
      this.bar = undefined;
    } else if (this.lastLine > 0 && this.last) {
      const elapsed = (Date.now() - this.started) / 1000;
      this.io.err(
        `${this.label}: done | ${formatCount(this.last.done)} ${this.last.unit} in ${formatDuration(elapsed)}\n`,
      );
    }
  }
}
