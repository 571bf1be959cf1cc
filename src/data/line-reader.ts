/** Synchronous, chunked line reading of a file: constant memory, no per-line syscalls. */

import { closeSync, openSync, readSync } from "node:fs";

const CHUNK = 1 << 20;

export interface Line {
  /** 1-based line number. */
  readonly lineNo: number;
  readonly text: string;
}

/** Yield every line of a UTF-8 file (without the newline; a trailing "\r" is removed). */
export function* readLines(path: string): Generator<Line> {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let carry = "";
    let lineNo = 0;
    const decoder = new TextDecoder("utf-8");
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      const text =
        carry + (n > 0 ? decoder.decode(buf.subarray(0, n), { stream: true }) : decoder.decode());
      let start = 0;
      for (;;) {
        const nl = text.indexOf("\n", start);
        if (nl < 0) break;
        lineNo++;
        let end = nl;
        if (end > start && text.charCodeAt(end - 1) === 13) end--;
        yield { lineNo, text: text.slice(start, end) };
        start = nl + 1;
      }
      carry = text.slice(start);
      if (n === 0) break;
    }
    if (carry.length > 0) {
      lineNo++;
      yield { lineNo, text: carry.endsWith("\r") ? carry.slice(0, -1) : carry };
    }
  } finally {
    closeSync(fd);
  }
}
