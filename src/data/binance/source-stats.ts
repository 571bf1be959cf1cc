/**
 * Counters of one pass over a Binance source: what was read, and everything
 * that was not turned into snapshots (headers, blank lines, skipped bad rows,
 * empty files, non-CSV zip entries) or was adjusted (timestamps clamped).
 */

/** How many bad-row messages are kept as samples. */
export const BAD_ROW_SAMPLES = 20;

export interface SymbolStats {
  files: number;
  rows: number;
  snapshots: number;
  skippedBadRows: number;
  clampedTs: number;
}

export interface BinanceSourceStats {
  /** Data files opened. */
  files: number;
  /** Data rows decoded (header and blank lines excluded). */
  rows: number;
  snapshots: number;
  headerRows: number;
  blankLines: number;
  /** Bad rows skipped because `onBadRow: "skip"` was asked for. */
  skippedBadRows: number;
  /** The first BAD_ROW_SAMPLES bad-row messages ("file:line: ..."). */
  badRowSamples: string[];
  /** Skipped bad rows per file (or zip entry): how many and the first's line. */
  badRowsByFile: Map<string, { count: number; firstLine: number }>;
  /** Rows whose timestamps were in microseconds (converted to ms). */
  microsecondRows: number;
  /** Snapshots whose ts was earlier than the previous one of the symbol and was raised to it. */
  clampedTs: number;
  /** Files (or zip entries) with no data row. */
  emptyFiles: string[];
  /** Zip entries not read because they are not CSV ("a.zip!README"). */
  ignoredZipEntries: string[];
  bySymbol: Record<string, SymbolStats>;
}

function emptySymbolStats(): SymbolStats {
  return { files: 0, rows: 0, snapshots: 0, skippedBadRows: 0, clampedTs: 0 };
}

export function createSourceStats(symbols: readonly string[]): BinanceSourceStats {
  const stats: BinanceSourceStats = {
    files: 0,
    rows: 0,
    snapshots: 0,
    headerRows: 0,
    blankLines: 0,
    skippedBadRows: 0,
    badRowSamples: [],
    badRowsByFile: new Map(),
    microsecondRows: 0,
    clampedTs: 0,
    emptyFiles: [],
    ignoredZipEntries: [],
    bySymbol: {},
  };
  resetSourceStats(stats, symbols);
  return stats;
}

/** Zero every counter in place (a new pass), keeping the object identity. */
export function resetSourceStats(stats: BinanceSourceStats, symbols: readonly string[]): void {
  stats.files = 0;
  stats.rows = 0;
  stats.snapshots = 0;
  stats.headerRows = 0;
  stats.blankLines = 0;
  stats.skippedBadRows = 0;
  stats.badRowSamples.length = 0;
  stats.badRowsByFile.clear();
  stats.microsecondRows = 0;
  stats.clampedTs = 0;
  stats.emptyFiles.length = 0;
  stats.ignoredZipEntries.length = 0;
  for (const k of Object.keys(stats.bySymbol)) delete stats.bySymbol[k];
  for (const s of symbols) stats.bySymbol[s] = emptySymbolStats();
}

/** Make `stats` equal to `from` (a copy from another thread), keeping its identity. */
export function assignSourceStats(stats: BinanceSourceStats, from: BinanceSourceStats): void {
  stats.files = from.files;
  stats.rows = from.rows;
  stats.snapshots = from.snapshots;
  stats.headerRows = from.headerRows;
  stats.blankLines = from.blankLines;
  stats.skippedBadRows = from.skippedBadRows;
  stats.badRowSamples.splice(0, stats.badRowSamples.length, ...from.badRowSamples);
  stats.badRowsByFile.clear();
  for (const [file, n] of from.badRowsByFile) stats.badRowsByFile.set(file, { ...n });
  stats.microsecondRows = from.microsecondRows;
  stats.clampedTs = from.clampedTs;
  stats.emptyFiles.splice(0, stats.emptyFiles.length, ...from.emptyFiles);
  stats.ignoredZipEntries.splice(0, stats.ignoredZipEntries.length, ...from.ignoredZipEntries);
  for (const k of Object.keys(stats.bySymbol)) delete stats.bySymbol[k];
  for (const [s, n] of Object.entries(from.bySymbol)) stats.bySymbol[s] = { ...n };
}

/** Human-readable notes about anything not read as-is; empty when the pass was clean. */
export function sourceStatsNotes(stats: BinanceSourceStats): string[] {
  const notes: string[] = [];
  if (stats.skippedBadRows > 0) {
    notes.push(
      `skipped ${stats.skippedBadRows} bad row(s); first: ${stats.badRowSamples[0] ?? ""}`,
    );
    for (const [file, { count, firstLine }] of stats.badRowsByFile) {
      notes.push(`skipped ${count} bad row(s) in ${file} (first at line ${firstLine})`);
    }
  }
  if (stats.clampedTs > 0) {
    notes.push(`${stats.clampedTs} snapshot(s) earlier than the previous one were given its ts`);
  }
  if (stats.microsecondRows > 0) {
    notes.push(`${stats.microsecondRows} row(s) had microsecond timestamps (converted to ms)`);
  }
  if (stats.blankLines > 0) notes.push(`${stats.blankLines} blank line(s) ignored`);
  for (const f of stats.emptyFiles) notes.push(`no data rows in ${f}`);
  for (const e of stats.ignoredZipEntries) notes.push(`zip entry not read (not .csv): ${e}`);
  return notes;
}
