/**
 * Fixture directories: `events.jsonl` (or `events.json`) plus `config.json`.
 *
 * Events are validated line by line (errors name file:line and the field),
 * ordered by ts (stable for equal ts), and streamed: a fixture already in ts
 * order is read from disk on each pass with constant memory; an unordered one
 * is sorted in memory once. Events of a type other than SNAPSHOT are counted
 * and skipped, never silently.
 */

import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, errorMessage, InvalidInputError } from "../core/errors.js";
import { duplicateKeyProblems } from "../core/json-duplicates.js";
import type { FundingRateEvent, InstrumentSpec, LeverageBracket } from "../domain/instrument.js";
import type { MarkPriceFeed } from "../domain/mark-price.js";
import type { Snapshot } from "../domain/snapshot.js";
import { applyOptions, defaultOptions, unknownConfigKeys } from "../kernel/kernel-options.js";
import { byteLines, contentStart, fileChunks } from "./byte-lines.js";
import { type FixtureEvent, jsonlEvents, parseEvent } from "./fixture-events.js";
import { fixtureEventsOnThread } from "./fixture-thread.js";
import { dataThreadsOption } from "./reading-thread.js";
import { parseSnapshotBytes, scanSnapshotHead } from "./snapshot-line.js";

export interface FixtureStats {
  /** Every event in the file, of any type. */
  readonly events: number;
  readonly snapshots: number;
  /** Skipped events (TRADE, BOOK_TICKER) by their type. */
  readonly skippedByType: ReadonlyMap<string, number>;
  /** Where (file:line) the first skipped event of each type is. */
  readonly firstSkippedAt?: ReadonlyMap<string, string>;
  /** Whether the file was already in ts order (streamed) or sorted in memory. */
  readonly inOrder: boolean;
}

/**
 * Raised by a pass over a JSONL fixture that finds an event older than the
 * one before it. The fixture then sorts itself, and the caller runs again
 * from the start (see `runInTsOrder`).
 */
export class FixtureOrderError extends Error {
  constructor(where: string) {
    super(`${where}: events are not in ts order; re-reading sorted`);
  }
}

export interface Fixture {
  readonly dir: string;
  readonly eventsPath: string;
  /** Parsed config.json ({} when the fixture has none). */
  readonly config: Readonly<Record<string, unknown>>;
  /** Keys of config.json that are neither options nor informational (one note each). */
  readonly configWarnings?: readonly string[];
  /** Counts of the last complete pass (throws before one has completed). */
  readonly stats: FixtureStats;
  /**
   * One pass over the events in ts order; may be called again for another
   * pass. A JSONL file is streamed and validated as it is read; if it turns
   * out not to be in ts order the pass throws FixtureOrderError and later
   * passes read it sorted.
   */
  events(): Iterable<FixtureEvent>;
  /**
   * The last `perSymbol` snapshots of every symbol, found by a light scan of
   * the file (timestamps and symbols only; the kept lines are parsed fully).
   * Undefined when a light scan cannot decide (not an in-order JSONL file of
   * plain lines): use `events()` then.
   */
  tailSnapshots?(perSymbol: number): Snapshot[] | undefined;
  /** What the events are made of (trades fill through the queue model); default quotes. */
  readonly dataShape?: "quotes" | "trades";
  /**
   * Every symbol the events can hold, when known before reading them (a
   * Binance source's symbols): a Top-K v0 selection of at least that many
   * symbols selects every symbol with data, so a run need not read the
   * events for it. Undefined for fixtures (their results show the selection).
   */
  readonly universe?: readonly string[];
  /** Exchange filters of the symbols (an exchangeInfo file), when known. */
  readonly instruments?: ReadonlyMap<string, InstrumentSpec>;
  /** USD-M: recorded funding rates by symbol (fundingRate dumps), in time order. */
  readonly fundingRates?: ReadonlyMap<string, readonly FundingRateEvent[]>;
  /** USD-M: leverage brackets by symbol (maintenance margin by notional). */
  readonly leverageBrackets?: ReadonlyMap<string, readonly LeverageBracket[]>;
  /** USD-M: a fresh mark price feed per trading pass (else the mark is the mid). */
  readonly markPrices?: () => MarkPriceFeed;
}

function jsonArrayEvents(path: string): FixtureEvent[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new InvalidInputError(`${path}: invalid JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(raw)) throw new InvalidInputError(`${path}: expected a JSON array of events`);
  return raw.map((ev, i) => parseEvent(ev, `${path}[${i}]`));
}

function eventTs(e: FixtureEvent): number {
  return e.kind === "snapshot" ? e.snapshot.ts : 0;
}

/** Stable sort by ts (equal timestamps keep file order). */
function sortByTs(list: readonly FixtureEvent[]): FixtureEvent[] {
  return list
    .map((e, i) => ({ e, i }))
    .sort((a, b) => eventTs(a.e) - eventTs(b.e) || a.i - b.i)
    .map((x) => x.e);
}

/**
 * Parse a JSON object of options from `text` (the file `path`): invalid JSON,
 * another value than an object and duplicate keys (every one, with its line)
 * are errors; with duplicates, `alsoWrong` adds the file's other problems
 * to the message.
 */
export function parseOptionsJson(
  text: string,
  path: string,
  alsoWrong: (raw: Record<string, unknown>) => string[] = () => [],
): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${path}: invalid JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`${path}: expected a JSON object of options`);
  }
  const duplicates = duplicateKeyProblems(text, path);
  if (duplicates.length > 0) {
    // With the file's other problems, so that all are reported at once.
    const others = alsoWrong(raw as Record<string, unknown>);
    throw new ConfigError([...duplicates, ...others].join("\n"));
  }
  return raw as Record<string, unknown>;
}

/** Read config.json of a fixture ({} if absent); must be a JSON object. */
export function readFixtureConfig(dir: string): Record<string, unknown> {
  const path = join(dir, "config.json");
  const st = statSync(path, { throwIfNoEntry: false });
  if (st === undefined) return {};
  if (!st.isFile()) throw new InvalidInputError(`${path}: expected a file, found a directory`);
  return parseOptionsJson(readFileSync(path, "utf8"), path, (raw) => optionProblems(raw, path));
}

/** The problems of a file's options (one message, or none); `strict`: unknown keys too. */
export function optionProblems(
  raw: Readonly<Record<string, unknown>>,
  path: string,
  strict = false,
): string[] {
  try {
    applyOptions(defaultOptions(), raw, path, { strict });
    return [];
  } catch (e) {
    return [errorMessage(e)];
  }
}

export interface OpenFixtureOptions {
  /** Unknown keys in config.json are errors, not warnings (`--strict`). */
  readonly strict?: boolean;
  /**
   * 1: a JSONL file's lines are split and parsed on a worker thread
   * (fixture-thread.ts), 0: on the calling thread. Default:
   * GRINDER_DATA_THREADS when set, else 0.
   */
  readonly dataThreads?: number;
}

/** The file offsets and lengths of the last `size` lines pushed. */
class LineRing {
  private readonly offsets: number[] = [];
  private readonly lengths: number[] = [];
  private next = 0;

  constructor(private readonly size: number) {}

  push(offset: number, length: number): void {
    if (this.offsets.length < this.size) {
      this.offsets.push(offset);
      this.lengths.push(length);
      return;
    }
    this.offsets[this.next] = offset;
    this.lengths[this.next] = length;
    this.next = (this.next + 1) % this.size;
  }

  *oldestFirst(): Generator<[number, number]> {
    const n = this.offsets.length;
    for (let k = 0; k < n; k++) {
      const at = (this.next + k) % n;
      yield [this.offsets[at] as number, this.lengths[at] as number];
    }
  }
}

class FixtureFile implements Fixture {
  readonly dir: string;
  readonly eventsPath: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly configWarnings: readonly string[];
  private readonly isJsonl: boolean;
  private readonly threads: number;
  /** In-memory events, sorted (events.json, or a JSONL file found out of order). */
  private sorted: FixtureEvent[] | undefined;
  private lastStats: FixtureStats | undefined;

  constructor(dir: string, eventsPath: string, isJsonl: boolean, opts: OpenFixtureOptions) {
    this.dir = dir;
    this.eventsPath = eventsPath;
    this.isJsonl = isJsonl;
    this.threads = dataThreadsOption(opts.dataThreads, 0);
    this.config = readFixtureConfig(dir);
    this.configWarnings = unknownConfigKeys(this.config, join(dir, "config.json"));
    if (opts.strict && this.configWarnings.length > 0) {
      throw new ConfigError(
        `${this.configWarnings.join("\n")}\n(--strict: unknown keys are errors)`,
      );
    }
  }

  get stats(): FixtureStats {
    if (this.lastStats === undefined) this.countPass();
    return this.lastStats as FixtureStats;
  }

  tailSnapshots(perSymbol: number): Snapshot[] | undefined {
    if (!this.isJsonl || this.sorted !== undefined || perSymbol <= 0) return undefined;
    // Where each symbol's last lines are in the file: read again at the end.
    const rings = new Map<string, LineRing>();
    let lastTs = Number.NEGATIVE_INFINITY;
    for (const l of byteLines(fileChunks(this.eventsPath))) {
      const start = contentStart(l);
      const head = scanSnapshotHead(l.buf, start, l.end);
      if (head === undefined) {
        if (l.buf.toString("utf8", start, l.end).trim().length === 0) continue;
        return undefined; // another event type or an unusual line: the full pass decides
      }
      if (head.ts < lastTs) return undefined;
      lastTs = head.ts;
      let ring = rings.get(head.symbol);
      if (ring === undefined) {
        ring = new LineRing(perSymbol);
        rings.set(head.symbol, ring);
      }
      ring.push(l.offset + (start - l.start), l.end - start);
    }
    const out: Snapshot[] = [];
    const fd = openSync(this.eventsPath, "r");
    try {
      let buf = Buffer.allocUnsafe(4096);
      for (const ring of rings.values()) {
        for (const [offset, length] of ring.oldestFirst()) {
          if (length > buf.length) buf = Buffer.allocUnsafe(length);
          if (readSync(fd, buf, 0, length, offset) !== length) return undefined;
          const snap = parseSnapshotBytes(buf, 0, length);
          if (snap === undefined) return undefined;
          out.push(snap);
        }
      }
    } finally {
      closeSync(fd);
    }
    return out;
  }

  /** A pass that only counts (used when stats are asked for before any pass). */
  private countPass(): void {
    try {
      for (const _ of this.events()) {
        // counting happens in events()
      }
    } catch (e) {
      if (!(e instanceof FixtureOrderError)) throw e;
      // The file was out of order: it now reads sorted; count that.
      for (const _ of this.events()) {
        // counting happens in events()
      }
    }
  }

  *events(): Generator<FixtureEvent> {
    if (!this.isJsonl && this.sorted === undefined) {
      this.sorted = sortByTs(jsonArrayEvents(this.eventsPath));
    }
    let events = 0;
    let snapshots = 0;
    let lastTs = Number.NEGATIVE_INFINITY;
    const skipped = new Map<string, number>();
    const firstSkippedAt = new Map<string, string>();
    const inOrder = this.sorted === undefined;
    const read = this.threads === 1 ? fixtureEventsOnThread : jsonlEvents;
    for (const ev of this.sorted ?? read(this.eventsPath)) {
      events++;
      if (ev.kind === "snapshot") {
        snapshots++;
        const ts = ev.snapshot.ts;
        if (ts < lastTs) {
          this.sorted = sortByTs([...jsonlEvents(this.eventsPath)]);
          throw new FixtureOrderError(this.eventsPath);
        }
        lastTs = ts;
      } else {
        skipped.set(ev.type, (skipped.get(ev.type) ?? 0) + 1);
        if (!firstSkippedAt.has(ev.type)) firstSkippedAt.set(ev.type, ev.where);
      }
      yield ev;
    }
    if (events === 0) throw new InvalidInputError(`${this.eventsPath}: fixture has no events`);
    this.lastStats = { events, snapshots, skippedByType: skipped, firstSkippedAt, inOrder };
  }
}

/**
 * Open a fixture directory. Events are validated as they are read, so a
 * malformed line fails the run that reaches it (naming file:line and field);
 * results are written through temp files, so a failed run leaves no output.
 */
export function openFixture(dir: string, opts: OpenFixtureOptions = {}): Fixture {
  const st = statSync(dir, { throwIfNoEntry: false });
  if (st === undefined) throw new InvalidInputError(`fixture directory not found: ${dir}`);
  if (!st.isDirectory()) {
    throw new InvalidInputError(
      `${dir}: expected a fixture directory (events.jsonl and config.json), found a file; give its directory`,
    );
  }
  for (const [name, isJsonl] of [
    ["events.jsonl", true],
    ["events.json", false],
  ] as const) {
    const path = join(dir, name);
    const at = statSync(path, { throwIfNoEntry: false });
    if (at === undefined) continue;
    if (!at.isFile()) throw new InvalidInputError(`${path}: expected a file, found a directory`);
    return new FixtureFile(dir, path, isJsonl, opts);
  }
  throw new InvalidInputError(`${dir}: no events.jsonl or events.json in fixture directory`);
}

/**
 * Run `fn` over a fixture in ts order: if the file turns out to be unordered
 * during the first run, run again (the fixture now reads sorted). `fn` must
 * build fresh state each time it is called.
 */
export async function runInTsOrder<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof FixtureOrderError) return fn();
    throw e;
  }
}

/** Human-readable note of skipped event types, or "" when none were skipped. */
export function skippedNote(stats: FixtureStats): string {
  if (stats.skippedByType.size === 0) return "";
  const parts = [...stats.skippedByType.entries()].map(([t, n]) => {
    const first = stats.firstSkippedAt?.get(t);
    return first === undefined ? `${t}=${n}` : `${t}=${n} (first at ${first})`;
  });
  return `skipped ${stats.events - stats.snapshots} non-SNAPSHOT event(s): ${parts.join(", ")}`;
}

/** The same events, with the simulation facts changed (data shape, instrument filters). */
export function fixtureWith(
  fixture: Fixture,
  extra: {
    readonly dataShape?: "quotes" | "trades";
    readonly instruments?: ReadonlyMap<string, InstrumentSpec>;
    readonly fundingRates?: ReadonlyMap<string, readonly FundingRateEvent[]>;
    readonly leverageBrackets?: ReadonlyMap<string, readonly LeverageBracket[]>;
    readonly markPrices?: () => MarkPriceFeed;
  },
): Fixture {
  return {
    dir: fixture.dir,
    eventsPath: fixture.eventsPath,
    config: fixture.config,
    configWarnings: fixture.configWarnings,
    get stats() {
      return fixture.stats;
    },
    events: () => fixture.events(),
    tailSnapshots:
      fixture.tailSnapshots === undefined ? undefined : (n) => fixture.tailSnapshots?.(n),
    dataShape: extra.dataShape ?? fixture.dataShape,
    universe: fixture.universe,
    instruments: extra.instruments ?? fixture.instruments,
    fundingRates: extra.fundingRates ?? fixture.fundingRates,
    leverageBrackets: extra.leverageBrackets ?? fixture.leverageBrackets,
    markPrices: extra.markPrices ?? fixture.markPrices,
  };
}
