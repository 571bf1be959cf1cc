/**
 * Files a backtest writes besides its JSON report: a JSON-lines stream of
 * per-tick outputs and the HTML report. Both appear only when
 * complete: they are written to a temp file next to the target and renamed.
 */

import { renameSync } from "node:fs";
import { renderBacktestReport } from "../../report/html-report.js";
import type { BacktestReportData } from "../../report/report-data.js";
import { BufferedFileWriter, writeTextAtomic } from "./result-writer.js";

/** Appends lines to a temp file; `commit` renames it to the target, `abort` removes it. */
export class JsonlWriter {
  readonly path: string;
  private readonly file: BufferedFileWriter;
  /** Lines written so far. */
  lines = 0;

  constructor(path: string) {
    this.path = path;
    this.file = new BufferedFileWriter(`${path}.tmp-${process.pid}`);
  }

  /** Append one line (without its newline). */
  write(line: string): void {
    this.file.write(line + "\n");
    this.lines++;
  }

  commit(): void {
    this.file.close();
    renameSync(this.file.path, this.path);
  }

  abort(): void {
    this.file.abort();
  }
}

/** Render the HTML backtest report and write it atomically. */
export function writeHtmlReport(path: string, data: BacktestReportData): void {
  writeTextAtomic(path, renderBacktestReport(data));
}
