/**
 * A one-line progress bar for long runs, redrawn in place on a terminal:
 * events processed (of the total when known), events per second and, with a
 * total, the time left. Redraws at most every `minIntervalMs` (10 per second
 * by default) and clears its line when done. Clock and stream are injected,
 * so it is testable; `createProgress` gives a no-op when not on a terminal.
 */

export interface ProgressOptions {
  /** Writes raw text (no newline added), e.g. `(s) => process.stderr.write(s)`. */
  readonly write: (text: string) => void;
  /** Milliseconds from any fixed origin (e.g. `performance.now`). */
  readonly now: () => number;
  /** Shown first, e.g. "paper". */
  readonly label: string;
  /** What is counted; default "events". */
  readonly unit?: string;
  /** Total count when known (enables percent and ETA). */
  readonly total?: number;
  /** Least time between two redraws; default 100 ms. */
  readonly minIntervalMs?: number;
  /** Terminal width; the line is cut to fit (default: no limit). */
  readonly columns?: number;
}

export interface Progress {
  /** Report the count so far (and an optional extra note); redraws when due. */
  update(processed: number, note?: string): void;
  /** Change the label and total (a new phase); the rate restarts. */
  phase(label: string, total?: number): void;
  /** Erase the line. */
  done(): void;
}

const CLEAR_LINE = "\r\x1b[K";

/** "1,234,567" */
function count(n: number): string {
  return Math.floor(n).toLocaleString("en-US");
}

/** Seconds as m:ss or h:mm:ss. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${sec}` : `${m}:${sec}`;
}

export class ProgressBar implements Progress {
  private readonly o: ProgressOptions;
  private label: string;
  private total: number | undefined;
  private startedAt: number;
  private lastDrawAt = Number.NEGATIVE_INFINITY;
  private drawn = false;
  /** How many times the line was drawn (for tests and curiosity). */
  draws = 0;

  constructor(o: ProgressOptions) {
    this.o = o;
    this.label = o.label;
    this.total = o.total;
    this.startedAt = o.now();
  }

  phase(label: string, total?: number): void {
    this.label = label;
    this.total = total;
    this.startedAt = this.o.now();
    this.lastDrawAt = Number.NEGATIVE_INFINITY;
  }

  update(processed: number, note?: string): void {
    const now = this.o.now();
    if (now - this.lastDrawAt < (this.o.minIntervalMs ?? 100)) return;
    this.lastDrawAt = now;
    let line = this.line(processed, now, note);
    const cols = this.o.columns;
    if (cols !== undefined && cols > 1 && line.length > cols - 1) line = line.slice(0, cols - 1);
    this.o.write(CLEAR_LINE + line);
    this.drawn = true;
    this.draws++;
  }

  /** The text of the line for `processed` at time `now`. */
  line(processed: number, now: number, note?: string): string {
    const unit = this.o.unit ?? "events";
    const seconds = (now - this.startedAt) / 1000;
    const rate = seconds > 0 ? processed / seconds : 0;
    const parts: string[] = [];
    const total = this.total;
    if (total !== undefined && total > 0) {
      const pct = Math.min(100, (100 * processed) / total);
      parts.push(`${this.label} ${count(processed)}/${count(total)} ${unit} (${pct.toFixed(1)}%)`);
    } else {
      parts.push(`${this.label} ${count(processed)} ${unit}`);
    }
    parts.push(`${count(rate)} ${unit}/s`);
    if (total !== undefined && total > 0 && rate > 0) {
      parts.push(`ETA ${formatDuration(Math.max(0, total - processed) / rate)}`);
    }
    if (note) parts.push(note);
    return parts.join("  ");
  }

  done(): void {
    if (this.drawn) this.o.write(CLEAR_LINE);
    this.drawn = false;
  }
}

const NO_PROGRESS: Progress = {
  update() {},
  phase() {},
  done() {},
};

/**
 * A progress bar on stderr when `enabled` (the caller checks it is a
 * terminal), else one that does nothing.
 */
export function createProgress(
  enabled: boolean,
  label: string,
  options: { readonly total?: number; readonly unit?: string } = {},
): Progress {
  if (!enabled) return NO_PROGRESS;
  return new ProgressBar({
    write: (s) => process.stderr.write(s),
    now: () => performance.now(),
    label,
    total: options.total,
    unit: options.unit,
    columns: process.stderr.columns,
  });
}

/** Whether a progress bar may be drawn: output is a terminal and so is stderr. */
export function progressWanted(isTty: boolean): boolean {
  return isTty && process.stderr.isTTY === true;
}
