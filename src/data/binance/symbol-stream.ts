/**
 * The snapshots of one symbol over its daily files, in file order then row
 * order. Per CSV part: an optional header row is detected (first field not a
 * number; a byte order mark is ignored) and checked against the kind; the column variant (spot/futures) is
 * fixed by the first data row. Bad rows throw, naming file, line and the
 * expectation, or are counted and skipped when asked. A row is bad when its
 * quote fails the market data checks (market-checks.ts) or its time falls
 * outside its file's day (with a minute of grace on either side, for
 * bookTicker event times that trail the transaction). A timestamp earlier
 * than the symbol's previous one (it happens with bookTicker event times) is
 * raised to it and counted, so the stream is always in time order. Rows
 * plainly well formed are read from their bytes (row-bytes.ts) and pass the
 * same checks; any other row, or one failing a check, takes the general path
 * (decodeRow), which names the problem.
 */

import { InvalidInputError } from "../../core/errors.js";
import { Snapshot } from "../../domain/snapshot.js";
import { byteLines } from "../byte-lines.js";
import { isSoundQuote, quoteProblem } from "../market-checks.js";
import { csvParts } from "./csv-parts.js";
import { type BinanceKind, columnCounts, LAYOUTS } from "./layouts.js";
import { fastRowDecoder, newFastRow } from "./row-bytes.js";
import { decodeRow, type QuoteModel, type QuotePoint } from "./row-decoders.js";
import { BAD_ROW_SAMPLES, type BinanceSourceStats, type SymbolStats } from "./source-stats.js";

export type BadRowPolicy = "error" | "skip";

export interface SymbolStreamSettings {
  readonly kind: BinanceKind;
  readonly model: QuoteModel;
  readonly onBadRow: BadRowPolicy;
}

const NUMBER_START = /^\d/;
const DAY_MS = 86_400_000;
/** How far outside its day a row's time may be (bookTicker event times trail). */
export const DAY_END_GRACE_MS = 60_000;

/** A data file and the UTC day (YYYY-MM-DD) its name says it holds. */
export interface DatedFile {
  readonly path: string;
  readonly date?: string;
}

/** [start, end) in ms of the day a file holds, or undefined when not dated. */
function dayBounds(file: DatedFile): readonly [number, number] | undefined {
  if (file.date === undefined) return undefined;
  const start = Date.parse(`${file.date}T00:00:00Z`);
  if (Number.isNaN(start)) return undefined;
  return [start - DAY_END_GRACE_MS, start + DAY_MS + DAY_END_GRACE_MS];
}

/** Why the points of a row cannot be used (outside the day, unsound quote), or undefined. */
function pointsProblem(
  points: readonly QuotePoint[],
  day: readonly [number, number] | undefined,
  date: string | undefined,
): string | undefined {
  for (const p of points) {
    if (day !== undefined && (p.ts < day[0] || p.ts >= day[1])) {
      return `time ${p.ts} (${new Date(p.ts).toISOString()}) is outside the file's day: expected ${date} UTC`;
    }
    const problem = quoteProblem(p);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function checkHeader(kind: BinanceKind, fields: readonly string[], where: string): void {
  const layout = LAYOUTS[kind];
  const first = (fields[0] ?? "").trim().toLowerCase();
  const names = layout.variants.get(fields.length);
  if (names === undefined || !layout.headerFirstColumn.includes(first)) {
    const expected = [...layout.variants.values()].map((v) => v.join(",")).join(" or ");
    throw new InvalidInputError(
      `${where}: header does not match the ${kind} layout (${columnCounts(kind)} columns): expected ${expected}, got ${JSON.stringify(fields.join(","))}`,
    );
  }
}

/** Snapshots of `symbol` from `files` (in order), updating `stats` as it goes. */
export function* symbolSnapshots(
  symbol: string,
  files: readonly DatedFile[],
  settings: SymbolStreamSettings,
  stats: BinanceSourceStats,
): Generator<Snapshot> {
  const { kind, model, onBadRow } = settings;
  const own: SymbolStats = stats.bySymbol[symbol] ?? {
    files: 0,
    rows: 0,
    snapshots: 0,
    skippedBadRows: 0,
    clampedTs: 0,
  };
  stats.bySymbol[symbol] = own;
  let lastTs = Number.NEGATIVE_INFINITY;
  const fast = fastRowDecoder(kind, model);
  const row = newFastRow();
  const countRow = (micros: boolean): void => {
    stats.rows++;
    own.rows++;
    if (micros) stats.microsecondRows++;
  };
  /** The point's time, raised to the symbol's previous one when earlier; counts the snapshot. */
  const inOrder = (pointTs: number): number => {
    let ts = pointTs;
    if (ts < lastTs) {
      ts = lastTs;
      stats.clampedTs++;
      own.clampedTs++;
    }
    lastTs = ts;
    stats.snapshots++;
    own.snapshots++;
    return ts;
  };
  for (const file of files) {
    const path = file.path;
    const day = dayBounds(file);
    const dayFrom = day?.[0] ?? Number.NEGATIVE_INFINITY;
    const dayTo = day?.[1] ?? Number.POSITIVE_INFINITY;
    stats.files++;
    own.files++;
    for (const part of csvParts(path, (e) => stats.ignoredZipEntries.push(e))) {
      let sawLine = false;
      let columns: number | undefined;
      let rows = 0;
      for (const line of byteLines(part.chunks)) {
        // Rows plainly well formed are read from their bytes (row-bytes.ts).
        if (
          columns !== undefined &&
          fast?.(line.buf, line.start, line.end, columns, row) &&
          row.ts >= dayFrom &&
          row.ts < dayTo &&
          isSoundQuote(row)
        ) {
          rows++;
          countRow(row.micros);
          yield new Snapshot({
            ts: inOrder(row.ts),
            symbol,
            bidPrice: row.bidPrice,
            askPrice: row.askPrice,
            bidQty: row.bidQty,
            askQty: row.askQty,
            lastPrice: row.lastPrice,
            lastQty: row.lastQty,
            takerSide: row.takerSide,
          });
          continue;
        }
        const lineNo = line.lineNo;
        const text = line.buf.toString("utf8", line.start, line.end);
        if (text.trim().length === 0) {
          stats.blankLines++;
          continue;
        }
        // A UTF-8 byte order mark may precede the first line.
        const fields = (!sawLine && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(
          ",",
        );
        if (!sawLine) {
          sawLine = true;
          if (!NUMBER_START.test(fields[0] ?? "")) {
            checkHeader(kind, fields, `${part.label}:${lineNo}`);
            stats.headerRows++;
            continue;
          }
        }
        const res = decodeRow(kind, fields, model, columns);
        const problem = res.ok ? pointsProblem(res.points, day, file.date) : res.problem;
        if (!res.ok || problem !== undefined) {
          const msg = `${part.label}:${lineNo}: bad ${kind} row: ${problem}`;
          if (onBadRow === "error") throw new InvalidInputError(msg);
          stats.skippedBadRows++;
          own.skippedBadRows++;
          if (stats.badRowSamples.length < BAD_ROW_SAMPLES) stats.badRowSamples.push(msg);
          const inFile = stats.badRowsByFile.get(part.label);
          if (inFile === undefined)
            stats.badRowsByFile.set(part.label, { count: 1, firstLine: lineNo });
          else inFile.count++;
          continue;
        }
        columns ??= fields.length;
        rows++;
        countRow(res.micros);
        for (const p of res.points) {
          yield new Snapshot({
            ts: inOrder(p.ts),
            symbol,
            bidPrice: p.bidPrice,
            askPrice: p.askPrice,
            bidQty: p.bidQty,
            askQty: p.askQty,
            lastPrice: p.lastPrice,
            lastQty: p.lastQty,
            ...(p.takerSide !== undefined ? { takerSide: p.takerSide } : {}),
          });
        }
      }
      if (rows === 0) stats.emptyFiles.push(part.label);
    }
  }
}
