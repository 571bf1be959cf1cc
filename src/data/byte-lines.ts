/**
 * Line decoding over byte chunks: the chunks of a plain file (read 1 MiB at a
 * time) or of a zip entry. Only one partial line is carried between chunks, so
 * memory stays flat however long the file is. Used by the Binance dumps, the
 * fixtures' JSONL (parsed from the bytes) and the live journals.
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

/**
 * One line as bytes: `buf[start, end)` without its "\n" (and without a
 * trailing "\r"). The same object is reused for every line of a scan: read
 * it before asking for the next line.
 */
export interface ByteLine {
  buf: Buffer;
  start: number;
  end: number;
  /** 1-based line number. */
  lineNo: number;
  /** Offset of the line's first byte in the whole stream (the file). */
  offset: number;
}

/**
 * Split byte chunks into lines without decoding them ("\n" or "\r\n"; a last
 * line without newline counts). A line cut by a chunk boundary is joined by
 * copying only its own bytes; nothing else is copied.
 */
export function* byteLines(chunks: Iterable<Buffer>): Generator<ByteLine> {
  const line: ByteLine = { buf: Buffer.alloc(0), start: 0, end: 0, lineNo: 0, offset: 0 };
  const emit = (buf: Buffer, start: number, nl: number, offset: number): ByteLine => {
    line.buf = buf;
    line.start = start;
    line.end = nl > start && buf[nl - 1] === CR ? nl - 1 : nl;
    line.lineNo++;
    line.offset = offset;
    return line;
  };
  let carry: Buffer | undefined;
  let carryOffset = 0;
  /** Offset of the current chunk's first byte. */
  let base = 0;
  for (const chunk of chunks) {
    let start = 0;
    if (carry !== undefined) {
      const nl = chunk.indexOf(LF);
      if (nl < 0) {
        carry = Buffer.concat([carry, chunk]);
        base += chunk.length;
        continue;
      }
      const joined = Buffer.concat([carry, chunk.subarray(0, nl)]);
      carry = undefined;
      yield emit(joined, 0, joined.length, carryOffset);
      start = nl + 1;
    }
    for (;;) {
      const nl = chunk.indexOf(LF, start);
      if (nl < 0) break;
      yield emit(chunk, start, nl, base + start);
      start = nl + 1;
    }
    // Copy the tail so the chunk can be released.
    if (start < chunk.length) {
      carry = Buffer.from(chunk.subarray(start));
      carryOffset = base + start;
    }
    base += chunk.length;
  }
  if (carry !== undefined && carry.length > 0) yield emit(carry, 0, carry.length, carryOffset);
}

/** Where a line's content starts: after a UTF-8 byte order mark opening the first line. */
export function contentStart(l: ByteLine): number {
  const { buf, start } = l;
  return l.lineNo === 1 &&
    l.end - start >= 3 &&
    buf[start] === 0xef &&
    buf[start + 1] === 0xbb &&
    buf[start + 2] === 0xbf
    ? start + 3
    : start;
}

/** Every line of a UTF-8 file, decoded (a byte order mark skipped, invalid bytes as U+FFFD). */
export function* readLines(path: string): Generator<NumberedLine> {
  for (const l of byteLines(fileChunks(path))) {
    yield { lineNo: l.lineNo, text: l.buf.toString("utf8", contentStart(l), l.end) };
  }
}

/** Split UTF-8 byte chunks into numbered lines ("\n" or "\r\n"; a last line without newline counts). */
export function* splitLines(chunks: Iterable<Buffer>): Generator<NumberedLine> {
  for (const l of byteLines(chunks)) {
    yield { lineNo: l.lineNo, text: l.buf.toString("utf8", l.start, l.end) };
  }
}
