/**
 * Files a backtest writes besides its JSON report: line files (per-tick
 * outputs as JSON lines, fills and equity as CSV) and the HTML report. They
 * appear only when complete: written to a temp file next to the target and
 * renamed.
 */

import { accessSync, constants, mkdirSync, renameSync } from "node:fs";
import { dirname } from "node:path";
import { renderBacktestReport } from "../../report/html-report.js";
import type { BacktestReportData } from "../../report/report-data.js";
import { BufferedFileWriter, writeTextAtomic } from "./result-writer.js";

/**
 * Appends lines to `PATH.tmp-PID`; `commit` renames it to PATH, `abort`
 * removes it. The temp file is created by the first line, so a run stopped
 * before writing anything leaves no file; the directory is created and
 * checked for writing up front, so a bad path fails before a long run.
 */
export class LinesFile {
  readonly path: string;
  private file: BufferedFileWriter | undefined;
  private done = false;
  /** Lines written so far. */
  lines = 0;

  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    accessSync(dirname(path), constants.W_OK);
  }

  /** Append one line (without its newline). */
  write(line: string): void {
    if (this.done) throw new Error(`${this.path}: written after commit or abort`);
    this.file ??= new BufferedFileWriter(`${this.path}.tmp-${process.pid}`);
    this.file.write(line + "\n");
    this.lines++;
  }

  /** Drop what was written so far (the run starts over). */
  restart(): void {
    this.file?.abort();
    this.file = undefined;
    this.lines = 0;
  }

  /** Rename the temp file to the target (an empty file when nothing was written). */
  commit(): void {
    this.file ??= new BufferedFileWriter(`${this.path}.tmp-${process.pid}`);
    this.done = true;
    this.file.close();
    renameSync(this.file.path, this.path);
    this.file.kept();
  }

  abort(): void {
    this.done = true;
    this.file?.abort();
  }
}

/** Render the HTML backtest report and write it atomically. */
export function writeHtmlReport(path: string, data: BacktestReportData): void {
  writeTextAtomic(path, renderBacktestReport(data));
}
