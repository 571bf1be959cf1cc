/** Synchronous, chunked line reading of a file: constant memory, no per-line syscalls. */

import { closeSync, openSync, readSync } from "node:fs";

const CHUNK = 1 << 20;

export interface Line {
  /** 1-based line number. */
  readonly lineNo: number;
  readonly text: string;
}

/**
 * A cursor over the lines of a UTF-8 file, read in 1 MB chunks. After `next()`
 * returns true, the current line is `chunk.slice(start, end)` (without its
 * newline; a trailing "\r" is removed): callers that parse in place avoid the
 * slice. Closes the file when the end is reached; call `close()` to stop early.
 */
export class LineCursor {
  chunk = "";
  start = 0;
  end = 0;
  lineNo = 0;
  private fd: number | undefined;
  private readonly buf = Buffer.allocUnsafe(CHUNK);
  private readonly decoder = new TextDecoder("utf-8");
  private next0 = 0;
  private eof = false;

  constructor(path: string) {
    this.fd = openSync(path, "r");
  }

  /** The current line as a string. */
  text(): string {
    return this.chunk.slice(this.start, this.end);
  }

  next(): boolean {
    for (;;) {
      let nl = this.chunk.indexOf("\n", this.next0);
      if (nl < 0 && this.eof) {
        // At the end of the file the last line needs no newline.
        if (this.next0 >= this.chunk.length) {
          this.close();
          return false;
        }
        nl = this.chunk.length;
      }
      if (nl >= 0) {
        this.lineNo++;
        this.start = this.next0;
        let end = nl;
        if (end > this.start && this.chunk.charCodeAt(end - 1) === 13) end--;
        this.end = end;
        this.next0 = nl + 1;
        return true;
      }
      this.read();
    }
  }

  private read(): void {
    const carry = this.chunk.slice(this.next0);
    this.next0 = 0;
    if (this.fd === undefined) {
      this.chunk = carry;
      this.eof = true;
      return;
    }
    const n = readSync(this.fd, this.buf, 0, CHUNK, null);
    if (n === 0) {
      this.chunk = carry + this.decoder.decode();
      this.eof = true;
      this.close();
    } else {
      this.chunk = carry + this.decoder.decode(this.buf.subarray(0, n), { stream: true });
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
