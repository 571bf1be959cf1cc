/**
 * Files a backtest writes besides its JSON report: a JSON-lines stream of
 * per-tick outputs and the HTML report. Both appear only when
 * complete: they are written to a temp file next to the target and renamed.
 */

import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { renderBacktestReport } from "../report/html-report.js";
import type { BacktestReportData } from "../report/report-data.js";
import { writeTextAtomic } from "./result-writer.js";

const FLUSH_AT = 1 << 20;

function tempPath(path: string): string {
  return `${path}.tmp-${process.pid}`;
}

/** Appends lines to a temp file; `commit` renames it to the target, `abort` removes it. */
export class JsonlWriter {
  readonly path: string;
  private readonly tmp: string;
  private fd: number | undefined;
  private pending: string[] = [];
  private pendingLen = 0;
  /** Lines written so far. */
  lines = 0;

  constructor(path: string) {
    this.path = path;
    this.tmp = tempPath(path);
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(this.tmp, "w");
  }

  /** Append one line (without its newline). */
  write(line: string): void {
    this.pending.push(line, "\n");
    this.pendingLen += line.length + 1;
    this.lines++;
    if (this.pendingLen >= FLUSH_AT) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0 || this.fd === undefined) return;
    writeSync(this.fd, this.pending.join(""));
    this.pending = [];
    this.pendingLen = 0;
  }

  commit(): void {
    if (this.fd === undefined) return;
    this.flush();
    closeSync(this.fd);
    this.fd = undefined;
    renameSync(this.tmp, this.path);
  }

  abort(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.pending = [];
    rmSync(this.tmp, { force: true });
  }
}

/** Render the HTML backtest report and write it atomically. */
export function writeHtmlReport(path: string, data: BacktestReportData): void {
  writeTextAtomic(path, renderBacktestReport(data));
}
