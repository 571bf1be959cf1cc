/**
 * Synchronous, chunked line reading of a file as bytes: constant memory, no
 * per-line syscalls and no decoding of lines a caller parses in place.
 */

import { closeSync, openSync, readSync } from "node:fs";

const CHUNK = 1 << 20;
const LF = 10;
const CR = 13;

export interface Line {
  /** 1-based line number. */
  readonly lineNo: number;
  readonly text: string;
}

/**
 * A cursor over the lines of a UTF-8 file, read in 1 MiB chunks into one
 * buffer. After `next()` returns true, the current line is the bytes
 * `buf[start, end)` (without its newline; a trailing "\r" is removed):
 * callers that parse bytes in place never make a string of it; `text()`
 * decodes it. A UTF-8 byte order mark at the start of the file is skipped.
 * The unread tail of a chunk is moved to the front before the next read, and
 * the buffer grows only for a line longer than it. Closes the file when the
 * end is reached; call `close()` to stop early.
 */
export class LineCursor {
  buf: Buffer = Buffer.allocUnsafe(CHUNK);
  start = 0;
  end = 0;
  lineNo = 0;
  private fd: number | undefined;
  /** Bytes of `buf` read from the file. */
  private len = 0;
  /** Where the next line starts. */
  private next0 = 0;
  /** File offset of `buf[0]`. */
  private base = 0;
  private eof = false;
  private atFileStart = true;

  constructor(path: string) {
    this.fd = openSync(path, "r");
  }

  /** File offset of the current line's first byte. */
  get offset(): number {
    return this.base + this.start;
  }

  /** The current line decoded (invalid UTF-8 becomes U+FFFD). */
  text(): string {
    return this.buf.toString("utf8", this.start, this.end);
  }

  next(): boolean {
    for (;;) {
      let nl = this.next0 < this.len ? this.buf.indexOf(LF, this.next0) : -1;
      if (nl >= this.len) nl = -1; // a stale byte past the data read
      if (nl < 0 && this.eof) {
        // At the end of the file the last line needs no newline.
        if (this.next0 >= this.len) {
          this.close();
          return false;
        }
        nl = this.len;
      }
      if (nl >= 0) {
        this.lineNo++;
        this.start = this.next0;
        this.end = nl > this.start && this.buf[nl - 1] === CR ? nl - 1 : nl;
        this.next0 = nl + 1;
        return true;
      }
      this.read();
    }
  }

  private read(): void {
    const carry = this.len - this.next0;
    this.base += this.next0;
    if (carry === this.buf.length) {
      const grown = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(grown, 0, this.next0, this.len);
      this.buf = grown;
    } else if (carry > 0) {
      this.buf.copyWithin(0, this.next0, this.len);
    }
    this.next0 = 0;
    this.len = carry;
    if (this.fd === undefined) {
      this.eof = true;
      return;
    }
    const n = readSync(this.fd, this.buf, carry, this.buf.length - carry, null);
    this.len += n;
    if (n === 0) {
      this.eof = true;
      this.close();
    }
    if (this.atFileStart && (this.len >= 3 || this.eof)) {
      this.atFileStart = false;
      if (this.buf[0] === 0xef && this.buf[1] === 0xbb && this.buf[2] === 0xbf && this.len >= 3) {
        this.next0 = 3;
      }
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Yield every line of a UTF-8 file (without the newline; a trailing "\r" is removed). */
export function* readLines(path: string): Generator<Line> {
  const c = new LineCursor(path);
  try {
    while (c.next()) yield { lineNo: c.lineNo, text: c.text() };
  } finally {
    c.close();
  }
}
