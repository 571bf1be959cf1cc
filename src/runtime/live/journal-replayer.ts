/**
 * Rebuilds a fresh kernel from a journal, line by line, checking as it goes:
 *
 * - a tick line's snapshot goes through the mode's `step` (the same call as
 *   live: decide, then the simulation venue's answers for paper, then the
 *   output); the replayed command batch, the venue's answers (paper) and the
 *   output must equal the journaled ones, or the replay stops ("diverged");
 * - an events line (live_trade) is applied at the same point it was live:
 *   each event to the kernel and to the venue's view of its orders;
 * - session lines must continue the journal (mode, options fingerprint, seq,
 *   run id); a session_end's summary must equal the kernel's.
 *
 * The replayer also keeps the journal position (the byte offset the kernel
 * corresponds to, the last seq, the last journaled market position), which
 * the loop advances as it writes, so a STANDBY following the journal and an
 * instance taking over both continue from where the kernel stands.
 */

import { isDeepStrictEqual } from "node:util";
import { ConfigError, errorMessage, InvalidInputError } from "../../core/errors.js";
import { orderCommandToJson, orderEventToJson } from "../../domain/order-json.js";
import type { OrderCommand, VenueEvent } from "../../domain/orders.js";
import type { Snapshot } from "../../domain/snapshot.js";
import { epochOf, type JournalEntry, type JournalSessionLine } from "./journal-lines.js";
import { type JournalRangeEntry, readJournalRange } from "./live-journal.js";
import type { LiveMode } from "./live-mode.js";
import type { LiveTradeMode } from "./live-mode-trade.js";

type Obj = { readonly [key: string]: unknown };

/** A value as the journal holds it once read back (plain JSON values). */
export function asJournaled(v: unknown): unknown {
  return v === undefined ? null : JSON.parse(JSON.stringify(v));
}

function firstDifference(a: unknown, b: unknown): string {
  if (typeof a === "object" && a !== null && typeof b === "object" && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const x = (a as Obj)[k];
      const y = (b as Obj)[k];
      if (!isDeepStrictEqual(x, y))
        return `"${k}": journal ${JSON.stringify(y)?.slice(0, 200)}, replay ${JSON.stringify(x)?.slice(0, 200)}`;
    }
  }
  return `journal ${JSON.stringify(b)?.slice(0, 200)}, replay ${JSON.stringify(a)?.slice(0, 200)}`;
}

/** The last journaled market position: snapshots at or before it are already in the journal. */
export interface Position {
  ts: number;
  readonly symbols: Set<string>;
}

export function advance(p: Position | undefined, s: Snapshot): Position {
  if (p === undefined || s.ts > p.ts) return { ts: s.ts, symbols: new Set([s.symbol]) };
  if (s.ts === p.ts) p.symbols.add(s.symbol);
  return p;
}

export interface ReplayHooks {
  /** Refuses a session line this run cannot continue (ConfigError). */
  checkSession(line: JournalSessionLine, where: string): void;
  /** A replayed output (the metrics follow the risk state). */
  replayedOutput(json: Obj): void;
}

const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

export class JournalReplayer {
  /** Seq of the last tick the kernel processed (replayed or live). */
  seq = 0;
  /** Market position of that tick. */
  last: Position | undefined;
  /** Symbols the kernel has seen. */
  readonly symbols = new Set<string>();
  /** Ticks replayed into the current kernel. */
  replayedTicks = 0;
  /** Journal size the kernel's state corresponds to (-1: no usable kernel). */
  offset = -1;
  /** Highest fencing epoch of the lines read so far (a writer continues only at or above it). */
  lastEpoch = 0;
  /** Number of the journal line at `offset` (for messages). */
  private nextLineNo = 1;

  constructor(
    private readonly path: string,
    private readonly mode: LiveMode,
    private readonly trade: LiveTradeMode | undefined,
    private readonly hooks: ReplayHooks,
  ) {}

  /** A fresh kernel at the start of the journal. */
  reset(): void {
    this.mode.reset();
    this.symbols.clear();
    this.offset = 0;
    this.nextLineNo = 1;
    this.seq = 0;
    this.last = undefined;
    this.replayedTicks = 0;
    this.lastEpoch = 0;
  }

  /** The kernel is ahead of (or apart from) the journal: the next catch-up starts over. */
  invalidate(): void {
    this.offset = -1;
  }

  /** The writer appended a line the kernel already reflects. */
  appended(size: number): void {
    this.offset = size;
    this.nextLineNo++;
  }

  /** A tick processed live at `seq`. */
  traded(s: Snapshot, seq: number): void {
    this.seq = seq;
    this.last = advance(this.last, s);
    this.symbols.add(s.symbol);
  }

  /**
   * Apply the journal's complete lines from `offset` up to byte `end`.
   * Returns the lines applied (undefined when `stopped()` said so meanwhile).
   */
  async catchUp(end: number, chunk: number, stopped: () => boolean): Promise<number | undefined> {
    let n = 0;
    for (const e of readJournalRange(this.path, this.offset, end, this.nextLineNo)) {
      this.apply(e, `${this.path}:${e.lineNo}`);
      this.offset = e.end;
      this.nextLineNo = e.lineNo + 1;
      if (++n % chunk === 0) {
        await yieldToEventLoop();
        if (stopped()) return undefined;
      }
    }
    return n;
  }

  private apply(e: JournalRangeEntry, where: string): void {
    this.lastEpoch = Math.max(this.lastEpoch, epochOf(e.line));
    switch (e.line.type) {
      case "session":
        this.session(e.line, where);
        return;
      case "events":
        this.events(e as Extract<JournalEntry, { line: { type: "events" } }>, where);
        return;
      case "session_end": {
        if (e.line.last_seq !== this.seq)
          throw new InvalidInputError(
            `${where}: session end at seq ${e.line.last_seq}, expected ${this.seq}`,
          );
        const summary = asJournaled(this.mode.kernel.finish(this.seq));
        if (!isDeepStrictEqual(summary, e.line.summary))
          throw new InvalidInputError(
            `${where}: replay diverged: kernel summary differs from the journal's: ${firstDifference(summary, e.line.summary)}`,
          );
        return;
      }
      case "tick":
        this.tick(e as Extract<JournalEntry, { line: { type: "tick" } }>, where);
        return;
    }
  }

  private session(line: JournalSessionLine, where: string): void {
    this.hooks.checkSession(line, where);
    if (line.next_seq !== this.seq + 1)
      throw new InvalidInputError(
        `${where}: session starts at seq ${line.next_seq}, expected ${this.seq + 1}`,
      );
    this.trade?.useRunId(line.run_id, where);
  }

  private events(e: Extract<JournalEntry, { line: { type: "events" } }>, where: string): void {
    if (this.trade === undefined)
      throw new InvalidInputError(`${where}: an events line in a ${this.mode.name} journal`);
    if (e.line.seq !== this.seq)
      throw new InvalidInputError(
        `${where}: events line at seq ${e.line.seq}, expected ${this.seq}`,
      );
    try {
      this.trade.applyEvents(e.events);
    } catch (x) {
      throw new InvalidInputError(
        `${where}: replay of the venue's events failed: ${errorMessage(x)}`,
      );
    }
  }

  private tick(e: Extract<JournalEntry, { line: { type: "tick" } }>, where: string): void {
    const { line, snapshot } = e;
    if (line.seq !== this.seq + 1)
      throw new InvalidInputError(`${where}: seq ${line.seq}, expected ${this.seq + 1}`);
    if (line.mode !== this.mode.name)
      throw new ConfigError(`${where}: a ${line.mode} line in a ${this.mode.name} run`);
    let r: ReturnType<LiveMode["step"]>;
    try {
      // The commands are registered with the venue under the epoch they were written with.
      this.trade?.useEpoch(epochOf(line));
      r = this.mode.step(snapshot);
    } catch (x) {
      throw new InvalidInputError(`${where}: ${errorMessage(x)}`);
    }
    const diverged = (what: string): never => {
      throw new InvalidInputError(
        `${where}: replay diverged from the journal at seq ${line.seq}: ${what}`,
      );
    };
    if (r.error !== undefined || line.error !== undefined) {
      if (r.error !== line.error)
        throw new InvalidInputError(
          `${where}: replay diverged: journal error ${JSON.stringify(line.error ?? null)}, ` +
            `replay error ${JSON.stringify(r.error ?? null)}`,
        );
    } else {
      const output = asJournaled(r.out === undefined ? null : this.mode.view(r.out));
      if (!isDeepStrictEqual(output, line.output)) diverged(firstDifference(output, line.output));
    }
    const commands = journalCommands(r.commands);
    if (!isDeepStrictEqual(commands, asJournaled(line.commands)))
      diverged(`commands: ${firstDifference(commands, line.commands)}`);
    const events = journalEvents(r.events);
    if (!isDeepStrictEqual(events, asJournaled(line.events ?? [])))
      diverged(`venue events: ${firstDifference(events, line.events ?? [])}`);
    if (r.out !== undefined) this.hooks.replayedOutput(r.out.json);
    this.traded(snapshot, line.seq);
    this.replayedTicks++;
  }
}

/** A command batch in journal form. */
export function journalCommands(commands: readonly OrderCommand[]): unknown {
  return asJournaled(commands.map(orderCommandToJson));
}

/** Order events in journal form. */
export function journalEvents(events: readonly VenueEvent[]): unknown {
  return asJournaled(events.map(orderEventToJson));
}
