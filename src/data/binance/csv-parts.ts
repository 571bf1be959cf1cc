/**
 * The CSV texts of one data file: a plain `.csv` is one part; a `.zip` has one
 * part per `.csv` entry (Binance ships one per archive; several are read in
 * directory order). Each part is labelled for error messages:
 * `DIR/x.csv` or `DIR/x.zip!x.csv`.
 */

import { InvalidInputError } from "../../core/errors.js";
import { fileChunks, type NumberedLine, splitLines } from "../byte-lines.js";
import { listZipEntries, readZipEntry } from "./zip-archive.js";

export interface CsvPart {
  /** Where the lines come from, for messages ("a.zip!a.csv"). */
  readonly label: string;
  /** The part's bytes; read either these or `lines` (both draw on one stream). */
  readonly chunks: Iterable<Buffer>;
  readonly lines: Iterable<NumberedLine>;
}

function part(label: string, chunks: Iterable<Buffer>): CsvPart {
  return { label, chunks, lines: splitLines(chunks) };
}

export function isZipPath(path: string): boolean {
  return path.toLowerCase().endsWith(".zip");
}

/**
 * The CSV parts of a `.csv` or `.zip` file, opened lazily one after the other.
 * Non-CSV entries of a zip are not read; each is passed to `onIgnoredEntry`.
 */
export function* csvParts(
  path: string,
  onIgnoredEntry?: (label: string) => void,
): Generator<CsvPart> {
  if (!isZipPath(path)) {
    yield part(path, fileChunks(path));
    return;
  }
  const entries = listZipEntries(path).filter((e) => !e.isDirectory);
  const csv = entries.filter((e) => e.name.toLowerCase().endsWith(".csv"));
  if (csv.length === 0) {
    const names = entries.map((e) => e.name).join(", ") || "(none)";
    throw new InvalidInputError(`${path}: zip has no .csv entry (entries: ${names})`);
  }
  for (const e of entries) if (!csv.includes(e)) onIgnoredEntry?.(`${path}!${e.name}`);
  for (const entry of csv) {
    yield part(`${path}!${entry.name}`, readZipEntry(path, entry));
  }
}

/** Every line of a `.csv` or `.zip` file with where it is (`label:line`), for row readers. */
export function* labelledCsvLines(
  path: string,
): Generator<{ readonly where: string; readonly text: string }> {
  for (const part of csvParts(path)) {
    for (const l of part.lines) yield { where: `${part.label}:${l.lineNo}`, text: l.text };
  }
}
