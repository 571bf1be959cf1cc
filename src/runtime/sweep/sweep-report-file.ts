/** The sweep's HTML report written atomically (a temp file renamed into place). */

import { sweepReportHtml } from "../../report/sweep-report.js";
import type { SweepReportData } from "../../report/sweep-report-data.js";
import { writeTextAtomic } from "../backtest/result-writer.js";

export function writeSweepReport(path: string, data: SweepReportData): void {
  writeTextAtomic(path, sweepReportHtml(data));
}
