/**
 * Streams a run result to disk: per-tick outputs are appended to a part file
 * as they are produced (memory independent of the run's length), and the
 * final file is assembled with sorted keys in a temp file and renamed, so a
 * crash never leaves a half-written result.
 */

import {
  closeSync,
  createReadStream,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import type { JsonValue } from "../../core/canonical-json.js";
import { canonicalJson } from "../../core/canonical-json.js";
import { registerTempFile, releaseTempFile } from "../temp-files.js";

const FLUSH_AT = 1 << 20;

/** Appends text to a file through a 1 MB buffer; `abort` closes and removes the file. */
export class BufferedFileWriter {
  readonly path: string;
  private fd: number | undefined;
  private pending: string[] = [];
  private pendingLen = 0;

  constructor(path: string) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, "w");
    registerTempFile(path);
  }

  write(text: string): void {
    this.pending.push(text);
    this.pendingLen += text.length;
    if (this.pendingLen >= FLUSH_AT) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0 || this.fd === undefined) return;
    writeSync(this.fd, this.pending.join(""));
    this.pending = [];
    this.pendingLen = 0;
  }

  /** Flush and close (idempotent); the file stays registered as temporary until renamed or removed. */
  close(): void {
    if (this.fd === undefined) return;
    this.flush();
    closeSync(this.fd);
    this.fd = undefined;
  }

  /** The file is kept (renamed to its final name): no longer a temp file. */
  kept(): void {
    releaseTempFile(this.path);
  }

  /** Give up: close and delete the file (a failed run leaves nothing behind). */
  abort(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.pending = [];
    rmSync(this.path, { force: true });
    releaseTempFile(this.path);
  }
}

/** The per-tick outputs of a run, comma-separated, for `assembleResult`. */
export class OutputsPartFile {
  private readonly file: BufferedFileWriter;
  private count = 0;
  readonly path: string;

  constructor(path: string) {
    this.path = path;
    this.file = new BufferedFileWriter(path);
  }

  /** Append one output, already in canonical JSON. */
  push(canonical: string): void {
    this.file.write(this.count === 0 ? canonical : "," + canonical);
    this.count++;
  }

  close(): void {
    this.file.close();
  }

  abort(): void {
    this.file.abort();
  }
}

/**
 * Write `{...fields, [listKey]: [outputs from part file]}` with keys in sorted
 * order to `path` (via a temp file and rename). The part file is removed.
 */
export async function assembleResult(
  path: string,
  fields: Readonly<Record<string, JsonValue>>,
  listKey: string,
  part: OutputsPartFile,
): Promise<void> {
  part.close();
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const fd = openSync(tmp, "w");
  registerTempFile(tmp);
  let open = true;
  try {
    const keys = [...Object.keys(fields), listKey].sort();
    writeSync(fd, "{");
    let first = true;
    for (const k of keys) {
      if (!first) writeSync(fd, ",");
      first = false;
      writeSync(fd, JSON.stringify(k) + ":");
      if (k === listKey) {
        writeSync(fd, "[");
        for await (const chunk of createReadStream(part.path)) writeSync(fd, chunk as Buffer);
        writeSync(fd, "]");
      } else {
        writeSync(fd, canonicalJson(fields[k] as JsonValue));
      }
    }
    writeSync(fd, "}\n");
    closeSync(fd);
    open = false;
    renameSync(tmp, path);
  } catch (e) {
    if (open) closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    releaseTempFile(tmp);
    rmSync(part.path, { force: true });
    releaseTempFile(part.path);
  }
}

/** Write a text file atomically: a temp file beside it, then a rename; nothing is left on failure. */
export function writeTextAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  registerTempFile(tmp);
  try {
    const fd = openSync(tmp, "w");
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    releaseTempFile(tmp);
  }
}

/** Write a whole JSON value atomically (canonical, or indented with `pretty`). */
export function writeJsonAtomic(path: string, value: JsonValue, pretty = false): void {
  const text = pretty
    ? JSON.stringify(JSON.parse(canonicalJson(value)), null, 2)
    : canonicalJson(value);
  writeTextAtomic(path, text + "\n");
}
