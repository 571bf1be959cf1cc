/**
 * The journal of a live run: one JSON object per line, appended.
 *
 * - `session`: an instance starts writing (at start, or on becoming ACTIVE);
 *   names the instance, the mode and the fingerprint of the engine options.
 * - `tick`: one snapshot the engine processed: the input snapshot (decimal
 *   strings, exactly as received) and the engine's output for it (paper: the
 *   whole per-event output; read_only: the decisions only, `executed: false`),
 *   or the error the engine raised.
 * - `exchange` (live_trade only): what the exchange did with our orders
 *   between two ticks: placements and cancels sent for a tick's actions,
 *   fills found by polling, orders adopted, lost or stray at a restart. Fill
 *   events are applied to the engine (`applyExternalFill`) on replay, at the
 *   same point in the sequence as they were live.
 * - `session_end`: a clean stop of the writer, with the engine's summary
 *   (positions, PnL, guards) at that point (live_trade: also the orders the
 *   exchange should hold).
 *
 * The tick lines' snapshots (and, in live_trade, the exchange lines' fills)
 * are the engine's whole input, so replaying them through a fresh engine
 * rebuilds its state exactly (the core is deterministic); the journaled
 * outputs let the replay check that it did. Lines with fills are fsync'ed
 * before the next snapshot is processed; in live_trade a tick line with
 * actions is fsync'ed before they are sent (write-ahead).
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
import { readLines } from "../../data/line-reader.js";
import { snapshotFromEvent } from "../../data/snapshot-event.js";
import type { Snapshot } from "../../domain/snapshot.js";

export const JOURNAL_VERSION = 1;

export type JournalMode = "read_only" | "paper" | "live_trade";

const JOURNAL_MODES: readonly JournalMode[] = ["read_only", "paper", "live_trade"];

export interface JournalSessionLine {
  readonly type: "session";
  readonly v: number;
  readonly instance_id: string;
  readonly mode: JournalMode;
  readonly source: string;
  readonly options_fingerprint: string;
  readonly wall_ms: number;
  /** Sequence number the session's first tick will carry. */
  readonly next_seq: number;
  /** live_trade: the journal's run id (client order ids derive from it); same in every session. */
  readonly run_id?: string;
}

export interface JournalTickLine {
  readonly type: "tick";
  /** 1, 2, 3, ... over the whole journal, across sessions. */
  readonly seq: number;
  readonly wall_ms: number;
  readonly mode: JournalMode;
  /** True when the output's orders and fills were (paper-)executed. */
  readonly executed: boolean;
  readonly snapshot: Readonly<Record<string, string | number>>;
  /** The engine's output (null when it produced none or failed). */
  readonly output: unknown;
  /** The engine's error message, when processing failed. */
  readonly error?: string;
}

export interface JournalSessionEndLine {
  readonly type: "session_end";
  readonly instance_id: string;
  readonly wall_ms: number;
  readonly last_seq: number;
  readonly reason: string;
  readonly summary: unknown;
  /** live_trade: the engine's open orders and their exchange state at the stop. */
  readonly exchange_orders?: unknown;
}

/** What happened to one order on the exchange. */
export const EXCHANGE_EVENTS = [
  /** A placement the exchange accepted. */
  "placed",
  /** A placement refused or failed: the exchange does not hold the order. */
  "place_failed",
  /** A cancel of ours that took effect (or found the order already cancelled). */
  "cancelled",
  /** A cancel that failed; retried at the next poll. */
  "cancel_failed",
  /** The order filled before our cancel reached it: the engine no longer holds it. */
  "cancel_too_late",
  /** An exchange order matched to an engine order (at a restart, or after an unknown outcome). */
  "adopted",
  /** A fill (the event's `fill` is applied to the engine). */
  "filled",
  /** The exchange no longer holds an engine order (cancelled or expired there, or never placed). */
  "lost",
  /** An exchange order with our prefix that the engine does not hold (reported). */
  "stray",
  "stray_cancelled",
  "stray_cancel_failed",
  /** An exchange order without our prefix (reported, never touched). */
  "foreign",
] as const;
export type ExchangeEventKind = (typeof EXCHANGE_EVENTS)[number];

export interface JournalExchangeEvent {
  readonly event: ExchangeEventKind;
  readonly symbol: string;
  readonly client_order_id: string;
  /** The engine's order id, for orders of the engine. */
  readonly engine_order_id?: string;
  /** The exchange's order status, when it was asked. */
  readonly status?: string;
  /** Why (errors, block reasons). */
  readonly detail?: string;
  /** "filled": the fill applied to the engine (fill output form). */
  readonly fill?: Readonly<Record<string, unknown>>;
}

export interface JournalExchangeLine {
  readonly type: "exchange";
  /** Seq of the last tick before these events (0: before the first). */
  readonly seq: number;
  readonly wall_ms: number;
  /** What produced the events: "tick" (its actions sent), "poll" or "reconcile" (at start). */
  readonly cause: "tick" | "poll" | "reconcile";
  readonly events: readonly JournalExchangeEvent[];
}

export type JournalLine =
  | JournalSessionLine
  | JournalTickLine
  | JournalSessionEndLine
  | JournalExchangeLine;

/** A parsed line with its position; ticks carry their snapshot. */
export type JournalEntry =
  | { readonly lineNo: number; readonly line: JournalSessionLine }
  | { readonly lineNo: number; readonly line: JournalTickLine; readonly snapshot: Snapshot }
  | { readonly lineNo: number; readonly line: JournalSessionEndLine }
  | { readonly lineNo: number; readonly line: JournalExchangeLine };

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function bad(where: string, what: string): never {
  throw new InvalidInputError(`${where}: ${what}`);
}

function intField(o: Obj, k: string, where: string): number {
  const v = o[k];
  if (typeof v !== "number" || !Number.isSafeInteger(v))
    bad(where, `field "${k}": expected an integer, got ${JSON.stringify(v)}`);
  return v as number;
}

function strField(o: Obj, k: string, where: string): string {
  const v = o[k];
  if (typeof v !== "string")
    bad(where, `field "${k}": expected a string, got ${JSON.stringify(v)}`);
  return v as string;
}

function modeField(o: Obj, where: string): JournalMode {
  const m = JOURNAL_MODES.find((x) => x === o.mode);
  if (m === undefined)
    bad(
      where,
      `field "mode": expected "read_only", "paper" or "live_trade", got ${JSON.stringify(o.mode)}`,
    );
  return m as JournalMode;
}

function optStrField(o: Obj, k: string, where: string): string | undefined {
  return o[k] === undefined ? undefined : strField(o, k, where);
}

function exchangeEvent(raw: unknown, where: string): JournalExchangeEvent {
  if (!isObj(raw)) bad(where, "exchange event: expected an object");
  const e = raw as Obj;
  const kind = EXCHANGE_EVENTS.find((x) => x === e.event);
  if (kind === undefined) bad(where, `exchange event: unknown event ${JSON.stringify(e.event)}`);
  if (e.fill !== undefined && !isObj(e.fill))
    bad(where, 'exchange event "fill": expected an object');
  if (kind === "filled" && e.fill === undefined) bad(where, 'a "filled" event without its fill');
  const engineId = optStrField(e, "engine_order_id", where);
  const status = optStrField(e, "status", where);
  const detail = optStrField(e, "detail", where);
  return {
    event: kind as ExchangeEventKind,
    symbol: strField(e, "symbol", where),
    client_order_id: strField(e, "client_order_id", where),
    ...(engineId !== undefined ? { engine_order_id: engineId } : {}),
    ...(status !== undefined ? { status } : {}),
    ...(detail !== undefined ? { detail } : {}),
    ...(e.fill !== undefined ? { fill: e.fill as Record<string, unknown> } : {}),
  };
}

/** Validate one parsed line. */
export function parseJournalLine(raw: unknown, where: string): JournalEntry["line"] {
  if (!isObj(raw)) bad(where, "expected a JSON object");
  const o = raw as Obj;
  switch (o.type) {
    case "session": {
      const runId = optStrField(o, "run_id", where);
      return {
        type: "session",
        v: intField(o, "v", where),
        instance_id: strField(o, "instance_id", where),
        mode: modeField(o, where),
        source: strField(o, "source", where),
        options_fingerprint: strField(o, "options_fingerprint", where),
        wall_ms: intField(o, "wall_ms", where),
        next_seq: intField(o, "next_seq", where),
        ...(runId !== undefined ? { run_id: runId } : {}),
      };
    }
    case "exchange": {
      const cause = o.cause;
      if (cause !== "tick" && cause !== "poll" && cause !== "reconcile")
        bad(
          where,
          `field "cause": expected "tick", "poll" or "reconcile", got ${JSON.stringify(cause)}`,
        );
      if (!Array.isArray(o.events)) bad(where, 'field "events": expected an array');
      return {
        type: "exchange",
        seq: intField(o, "seq", where),
        wall_ms: intField(o, "wall_ms", where),
        cause: cause as JournalExchangeLine["cause"],
        events: (o.events as unknown[]).map((x) => exchangeEvent(x, where)),
      };
    }
    case "tick": {
      if (!isObj(o.snapshot)) bad(where, 'field "snapshot": expected an object');
      if (typeof o.executed !== "boolean") bad(where, 'field "executed": expected a boolean');
      if (o.error !== undefined && typeof o.error !== "string")
        bad(where, 'field "error": expected a string');
      return {
        type: "tick",
        seq: intField(o, "seq", where),
        wall_ms: intField(o, "wall_ms", where),
        mode: modeField(o, where),
        executed: o.executed as boolean,
        snapshot: o.snapshot as Record<string, string | number>,
        output: o.output ?? null,
        ...(typeof o.error === "string" ? { error: o.error } : {}),
      };
    }
    case "session_end":
      return {
        type: "session_end",
        instance_id: strField(o, "instance_id", where),
        wall_ms: intField(o, "wall_ms", where),
        last_seq: intField(o, "last_seq", where),
        reason: strField(o, "reason", where),
        summary: o.summary ?? null,
        ...(o.exchange_orders !== undefined ? { exchange_orders: o.exchange_orders } : {}),
      };
    default:
      return bad(where, `unknown line type ${JSON.stringify(o.type)}`);
  }
}

/**
 * Every line of a journal, validated, in order (nothing when the file does
 * not exist). A last line without its newline is a write cut short by a crash:
 * call `repairJournalTail` first; here it is an error like any bad line.
 */
export function readJournal(path: string): Generator<JournalEntry> {
  return readJournalLines(path, Number.POSITIVE_INFINITY);
}

function parseEntry(text: string, lineNo: number, where: string): JournalEntry {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new InvalidInputError(`${where}: invalid JSON: ${(e as Error).message}`);
  }
  const line = parseJournalLine(raw, where);
  if (line.type === "tick")
    return { lineNo, line, snapshot: snapshotFromEvent({ ...line.snapshot }, where) };
  return { lineNo, line } as JournalEntry;
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
        yield { ...parseEntry(text, lineNo, `${path}:${lineNo}`), end: dataStart + from };
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
    yield parseEntry(text, lineNo, `${path}:${lineNo}`);
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

/** Size of a file in bytes, 0 when it does not exist. */
export function journalSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Appends journal lines; one writer per journal at a time (the ACTIVE instance). */
export class LiveJournalWriter {
  private fd: number | undefined;
  private sizeAfterWrite: number;
  private linesWritten = 0;

  private constructor(
    readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
    this.sizeAfterWrite = fstatSync(fd).size;
  }

  /** Open for appending, creating the file and its directory when needed. */
  static open(path: string): LiveJournalWriter {
    mkdirSync(dirname(path), { recursive: true });
    return new LiveJournalWriter(path, openSync(path, "a"));
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

  /** Append one line; with `sync`, wait until it is on disk. */
  append(line: JournalLine, sync = false): void {
    const fd = this.fd;
    if (fd === undefined) throw new InvalidInputError(`journal ${this.path} is closed`);
    const buf = Buffer.from(`${JSON.stringify(line)}\n`, "utf8");
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    if (sync) fsyncSync(fd);
    this.linesWritten++;
    this.sizeAfterWrite = fstatSync(fd).size;
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
