/**
 * Line decoding over byte chunks: the chunks of a plain file (read 1 MiB at a
 * time) or of a zip entry. Only one partial line is carried between chunks, so
 * memory stays flat however long the file is.
 */

import { closeSync, openSync, readSync } from "node:fs";

const CHUNK = 1 << 20;
const LF = 10;
const CR = 13;

export interface NumberedLine {
  /** 1-based line number. */
  readonly lineNo: number;
  /** The line without its "\n" (and without a trailing "\r"). */
  readonly text: string;
}

/** The bytes of a file in chunks of at most 1 MiB (each chunk is a fresh buffer). */
export function* fileChunks(path: string): Generator<Buffer> {
  const fd = openSync(path, "r");
  try {
    for (;;) {
      const buf = Buffer.allocUnsafe(CHUNK);
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) return;
      yield n === CHUNK ? buf : buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

function decode(buf: Buffer, start: number, end: number): string {
  const stop = end > start && buf[end - 1] === CR ? end - 1 : end;
  return buf.toString("utf8", start, stop);
}

/** Split UTF-8 byte chunks into numbered lines ("\n" or "\r\n"; a last line without newline counts). */
export function* splitLines(chunks: Iterable<Buffer>): Generator<NumberedLine> {
  let carry: Buffer | undefined;
  let lineNo = 0;
  for (const chunk of chunks) {
    const buf = carry === undefined ? chunk : Buffer.concat([carry, chunk]);
    carry = undefined;
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(LF, start);
      if (nl < 0) break;
      lineNo++;
      yield { lineNo, text: decode(buf, start, nl) };
      start = nl + 1;
    }
    // Copy the tail so the (possibly huge) chunk can be released.
    if (start < buf.length) carry = Buffer.from(buf.subarray(start));
  }
  if (carry !== undefined && carry.length > 0) {
    lineNo++;
    yield { lineNo, text: decode(carry, 0, carry.length) };
  }
}
