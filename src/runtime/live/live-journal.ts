/**
 * The journal file of a live run: JSON lines appended by one writer at a time
 * (the ACTIVE instance), read back in ranges by a takeover or a STANDBY
 * following it. The lines are described in `journal-lines.ts`.
 *
 * A last line without its newline is a write cut short by a crash:
 * `repairJournalTail` cuts it before a writer appends; a reader leaves it
 * out until it is complete.
 */

import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readSync,
  statSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import { ConfigError, InvalidInputError } from "../../core/errors.js";
import { readLines } from "../../data/byte-lines.js";
import {
  checkSessionLine,
  type JournalEntry,
  type JournalIdentity,
  type JournalLine,
  parseJournalEntry,
} from "./journal-lines.js";

/**
 * Every line of a journal, validated, in order (nothing when the file does
 * not exist). A last line without its newline is a write cut short by a crash:
 * call `repairJournalTail` first; here it is an error like any bad line.
 */
export function readJournal(path: string): Generator<JournalEntry> {
  return readJournalLines(path, Number.POSITIVE_INFINITY);
}

/** A journal entry and the byte offset just after its line. */
export type JournalRangeEntry = JournalEntry & { readonly end: number };

/**
 * The complete lines between byte offsets `start` (a line start) and `end`,
 * validated; `firstLineNo` is the number of the line at `start` (for
 * messages). A last line without its newline is not returned (a write in
 * progress, or torn): reading again later from the last `end` picks it up.
 */
export function* readJournalRange(
  path: string,
  start: number,
  end: number,
  firstLineNo = 1,
): Generator<JournalRangeEntry> {
  if (end <= start) return;
  const fd = openSync(path, "r");
  try {
    const chunk = Buffer.allocUnsafe(1 << 20);
    let carry = Buffer.alloc(0);
    let pos = start;
    let lineNo = firstLineNo - 1;
    while (pos < end) {
      const n = readSync(fd, chunk, 0, Math.min(chunk.length, end - pos), pos);
      if (n === 0) break;
      const data =
        carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      const dataStart = pos - carry.length;
      pos += n;
      let from = 0;
      for (;;) {
        const nl = data.indexOf(0x0a, from);
        if (nl < 0) break;
        lineNo++;
        let stop = nl;
        if (stop > from && data[stop - 1] === 0x0d) stop--;
        const text = data.toString("utf8", from, stop);
        from = nl + 1;
        if (text.trim() === "") continue;
        yield { ...parseJournalEntry(text, lineNo, `${path}:${lineNo}`), end: dataStart + from };
      }
      carry = Buffer.from(data.subarray(from));
    }
  } finally {
    closeSync(fd);
  }
}

function* readJournalLines(path: string, max: number): Generator<JournalEntry> {
  let size: number;
  try {
    size = statSync(path).size;
  } catch {
    return;
  }
  if (size === 0) return;
  let n = 0;
  for (const { lineNo, text } of readLines(path)) {
    if (text.trim() === "") continue;
    if (n++ >= max) return;
    yield parseJournalEntry(text, lineNo, `${path}:${lineNo}`);
  }
}

/**
 * Cut a torn last line (a crash in the middle of a write: no final newline)
 * so that appending starts on a line of its own. Returns the bytes removed.
 */
export function repairJournalTail(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, "r+");
  } catch {
    return 0;
  }
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return 0;
    const one = Buffer.alloc(1);
    readSync(fd, one, 0, 1, size - 1);
    if (one[0] === 0x0a) return 0;
    const chunk = Buffer.alloc(64 * 1024);
    let end = size;
    while (end > 0) {
      const start = Math.max(0, end - chunk.length);
      const n = readSync(fd, chunk, 0, end - start, start);
      const nl = chunk.subarray(0, n).lastIndexOf(0x0a);
      if (nl >= 0) {
        const keep = start + nl + 1;
        ftruncateSync(fd, keep);
        fsyncSync(fd);
        return size - keep;
      }
      end = start;
    }
    ftruncateSync(fd, 0);
    fsyncSync(fd);
    return size;
  } finally {
    closeSync(fd);
  }
}

/**
 * Make sure the journal can be read and appended to (its directory is
 * created when missing); a ConfigError names the problem otherwise.
 */
export function prepareJournalLocation(path: string): void {
  try {
    const dir = dirname(path);
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    if (existsSync(path)) accessSync(path, constants.R_OK | constants.W_OK);
  } catch (e) {
    throw new ConfigError(
      `journal ${path}: cannot write there (${(e as Error).message}); ` +
        "choose another place with --journal FILE or --state-dir DIR",
    );
  }
}

/** The first line of a journal, parsed (undefined when the file is missing or empty). */
export function readJournalHead(path: string): JournalLine | undefined {
  for (const e of readJournalLines(path, 1)) return e.line;
  return undefined;
}

/** Refuse at start a journal that `run` cannot continue (its first session line). */
export function checkJournalHead(path: string, run: JournalIdentity): void {
  let head: JournalLine | undefined;
  try {
    head = readJournalHead(path);
  } catch (e) {
    throw new ConfigError(`journal ${(e as Error).message}`);
  }
  if (head !== undefined && head.type === "session") checkSessionLine(head, `${path}:1`, run);
}

/** Size of a file in bytes, 0 when it does not exist. */
export function journalSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** An append refused: the journal's last line was written under a newer fencing epoch. */
export class JournalFencedError extends InvalidInputError {
  readonly fenced = true as const;
}

export function isJournalFencedError(e: unknown): e is JournalFencedError {
  return e instanceof JournalFencedError;
}

/** The last complete line of an open file of `size` bytes (undefined when there is none). */
function lastLineOf(fd: number, size: number): string | undefined {
  if (size === 0) return undefined;
  const chunk = Buffer.alloc(64 * 1024);
  let tail = Buffer.alloc(0);
  let end = size;
  while (end > 0) {
    const start = Math.max(0, end - chunk.length);
    const n = readSync(fd, chunk, 0, end - start, start);
    tail = Buffer.concat([chunk.subarray(0, n), tail]);
    end = start;
    // The last newline ends the last complete line; the one before it starts it.
    const last = tail.lastIndexOf(0x0a);
    if (last < 0) continue;
    const before = last === 0 ? -1 : tail.lastIndexOf(0x0a, last - 1);
    if (before >= 0 || end === 0) return tail.toString("utf8", before + 1, last);
  }
  return undefined;
}

/** The fencing epoch of a journal line's text (0 when absent or unreadable). */
function epochOfText(text: string | undefined): number {
  if (text === undefined) return 0;
  try {
    const v = (JSON.parse(text) as { epoch?: unknown }).epoch;
    return typeof v === "number" && Number.isSafeInteger(v) ? v : 0;
  } catch {
    return 0;
  }
}

/**
 * Appends journal lines; one writer per journal at a time (the ACTIVE
 * instance). Every line is stamped with the writer's fencing epoch. Before
 * each append the writer looks whether the file changed since its own last
 * write; if so it reads the last line's epoch, and it refuses
 * (JournalFencedError) while that epoch is newer than its own: a successor
 * has written, this writer is deposed.
 */
export class LiveJournalWriter {
  private fd: number | undefined;
  private sizeAfterWrite: number;
  private linesWritten = 0;
  /** Epoch of the journal's last line as this writer knows it. */
  private lastEpoch: number;

  private constructor(
    readonly path: string,
    fd: number,
    readonly epoch: number,
    knownLastEpoch: number,
  ) {
    this.fd = fd;
    this.sizeAfterWrite = fstatSync(fd).size;
    this.lastEpoch = Math.max(knownLastEpoch, epochOfText(lastLineOf(fd, this.sizeAfterWrite)));
  }

  /**
   * Open for appending (creating the file and its directory when needed),
   * writing under fencing epoch `epoch`; `knownLastEpoch` is the last epoch
   * the caller saw in the journal. Refuses when the journal is already newer.
   */
  static open(path: string, epoch = 0, knownLastEpoch = 0): LiveJournalWriter {
    mkdirSync(dirname(path), { recursive: true });
    const w = new LiveJournalWriter(path, openSync(path, "a+"), epoch, knownLastEpoch);
    try {
      w.checkFence();
    } catch (e) {
      w.close();
      throw e;
    }
    return w;
  }

  get isOpen(): boolean {
    return this.fd !== undefined;
  }

  /** File size right after this writer's last write. */
  get size(): number {
    return this.sizeAfterWrite;
  }

  get lines(): number {
    return this.linesWritten;
  }

  private checkFence(): void {
    const fd = this.fd;
    if (fd === undefined) return;
    const size = fstatSync(fd).size;
    if (size !== this.sizeAfterWrite)
      this.lastEpoch = Math.max(this.lastEpoch, epochOfText(lastLineOf(fd, size)));
    if (this.lastEpoch > this.epoch)
      throw new JournalFencedError(
        `journal ${this.path}: its last line has fencing epoch ${this.lastEpoch}, newer than ` +
          `this writer's ${this.epoch}: another instance took over; not appending`,
      );
  }

  /** Append one line (stamped with the writer's epoch); with `sync`, wait until it is on disk. */
  append(line: JournalLine, sync = false): void {
    const fd = this.fd;
    if (fd === undefined) throw new InvalidInputError(`journal ${this.path} is closed`);
    this.checkFence();
    const buf = Buffer.from(`${JSON.stringify({ ...line, epoch: this.epoch })}\n`, "utf8");
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    if (sync) fsyncSync(fd);
    this.linesWritten++;
    this.sizeAfterWrite = fstatSync(fd).size;
    this.lastEpoch = this.epoch;
  }

  /** Flush to disk and close. Idempotent. */
  close(): void {
    const fd = this.fd;
    if (fd === undefined) return;
    this.fd = undefined;
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
