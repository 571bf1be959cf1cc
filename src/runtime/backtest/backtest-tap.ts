/**
 * Watching a paper run from outside without changing it: the fixture's event
 * stream is wrapped so every snapshot handed to the engine is seen, and the
 * paper run's `onOutput` hook is paired with the snapshot that produced the
 * output (the engine pulls snapshots one at a time, so the last one handed
 * out is the one being processed). Reports, per-tick output files, progress
 * bars and the soak's latency samples are all built on this, on top of
 * `runPaper`, so they see exactly what a plain paper run computes.
 */

import type { FixtureEvent } from "../../data/fixture-events.js";
import type { Fixture } from "../../data/fixture-reader.js";
import type { FundingApplied } from "../../domain/orders.js";
import type { Snapshot } from "../../domain/snapshot.js";
import type { AccountState, BookedFill } from "../../kernel/kernel-types.js";
import { LinesFile } from "./backtest-files.js";
import { type PaperRunHooks, type PaperRunSummary, runPaper, type TickView } from "./run-paper.js";

export type { TickView };

/** One per-tick output record of a paper run (schema v1 keys). */
export type PaperOutputJson = Readonly<Record<string, unknown>>;

export interface PaperTap {
  /**
   * A snapshot handed to the engine: `n` counts the snapshots of this pass,
   * `pass` the passes over the events so far (1 = the first).
   */
  readonly onRead?: (snapshot: Snapshot, n: number, pass: number) => void;
  /**
   * An output, with the snapshot it is for and, when timing is on, the
   * nanoseconds from handing out the snapshot to receiving its output (the
   * engine's processEvent plus the run's digest update).
   */
  readonly onTick?: (snapshot: Snapshot, output: TickView, elapsedNs: number) => void;
  /** Every fill as the kernel booked it (PaperRunHooks.onFill). */
  readonly onFill?: (b: BookedFill) => void;
  /** Orders submitted at an event of `symbol` (PaperRunHooks.onPlaced). */
  readonly onPlaced?: (symbol: string, orders: number) => void;
  /** A funding payment (PaperRunHooks.onFunding). */
  readonly onFunding?: (f: FundingApplied) => void;
  /** An equity point: the account at `ts` (PaperRunHooks.onAccount). */
  readonly onAccount?: (ts: number, account: AccountState) => void;
  /**
   * The trading pass starts (PaperRunHooks.onTrading). Called again when the
   * run starts over (a fixture found out of order is re-read sorted): drop
   * what was collected before.
   */
  readonly onTrading?: () => void;
}

/** One function calling each of `fns` in order; undefined when there are none. */
function fanOut<A extends unknown[]>(
  fns: readonly (((...args: A) => void) | undefined)[],
): ((...args: A) => void) | undefined {
  const list = fns.filter((f): f is (...args: A) => void => f !== undefined);
  if (list.length === 0) return undefined;
  if (list.length === 1) return list[0];
  return (...args: A) => {
    for (const f of list) f(...args);
  };
}

/** One tap that calls each of `taps` in order. */
export function combineTaps(...taps: readonly (PaperTap | undefined)[]): PaperTap {
  const list = taps.filter((t): t is PaperTap => t !== undefined);
  return {
    onRead: fanOut(list.map((t) => t.onRead)),
    onTick: fanOut(list.map((t) => t.onTick)),
    onFill: fanOut(list.map((t) => t.onFill)),
    onFunding: fanOut(list.map((t) => t.onFunding)),
    onAccount: fanOut(list.map((t) => t.onAccount)),
    onPlaced: fanOut(list.map((t) => t.onPlaced)),
    onTrading: fanOut(list.map((t) => t.onTrading)),
  };
}

/** A fixture whose event stream reports to `tap`, and the onOutput hook to give runPaper. */
export function tapFixture(
  fixture: Fixture,
  tap: PaperTap,
  timed = false,
): { readonly fixture: Fixture; readonly onOutput: (output: TickView) => void } {
  let current: Snapshot | undefined;
  let handedAt = 0n;
  let passes = 0;
  function* watched(pass: number): Generator<FixtureEvent> {
    let n = 0;
    for (const ev of fixture.events()) {
      if (ev.kind === "snapshot") {
        current = ev.snapshot;
        n++;
        tap.onRead?.(ev.snapshot, n, pass);
        if (timed) handedAt = process.hrtime.bigint();
      }
      yield ev;
    }
  }
  const wrapped: Fixture = {
    dir: fixture.dir,
    eventsPath: fixture.eventsPath,
    config: fixture.config,
    get stats() {
      return fixture.stats;
    },
    events: () => watched(++passes),
    tailSnapshots:
      fixture.tailSnapshots === undefined ? undefined : (n) => fixture.tailSnapshots?.(n),
    dataShape: fixture.dataShape,
    universe: fixture.universe,
    instruments: fixture.instruments,
    fundingRates: fixture.fundingRates,
    leverageBrackets: fixture.leverageBrackets,
    markPrices: fixture.markPrices,
  };
  const onOutput = (output: TickView): void => {
    if (current === undefined || tap.onTick === undefined) return;
    const ns = timed ? Number(process.hrtime.bigint() - handedAt) : 0;
    tap.onTick(current, output, ns);
  };
  return { fixture: wrapped, onOutput };
}

export interface TappedRunOptions {
  /** Write the full result (schema v1) here, as `grinder paper --out` does. */
  readonly outPath?: string;
  /** Engine option overrides (a --config file), applied strictly. */
  readonly overrides?: Readonly<Record<string, unknown>>;
  readonly tap?: PaperTap;
  /** Measure each event's processing time (PaperTap.onTick's elapsedNs). */
  readonly timed?: boolean;
  /** Data time between equity points when nothing fills (PaperRunHooks.equityEveryMs). */
  readonly equityEveryMs?: number;
  /** Stop the run when aborted (PaperRunHooks.signal). */
  readonly signal?: AbortSignal;
  /** false: no output digest (PaperRunHooks.withDigest). */
  readonly withDigest?: boolean;
}

/** The paper run hooks that feed `tap` (its onRead and onTick are the fixture's, see tapFixture). */
export function tapHooks(
  tap: PaperTap,
  extra: Pick<PaperRunHooks, "equityEveryMs" | "signal" | "withDigest"> = {},
): PaperRunHooks {
  return {
    onFill: tap.onFill,
    onFunding: tap.onFunding,
    onAccount: tap.onAccount,
    onPlaced: tap.onPlaced,
    onTrading: tap.onTrading,
    ...extra,
  };
}

/** `runPaper`, watched by a tap (a plain runPaper when there is nothing to watch). */
export async function runPaperTapped(
  fixture: Fixture,
  o: TappedRunOptions = {},
): Promise<PaperRunSummary> {
  const tap = o.tap ?? {};
  const hooks = tapHooks(tap, {
    equityEveryMs: o.equityEveryMs,
    signal: o.signal,
    withDigest: o.withDigest,
  });
  if (tap.onRead === undefined && tap.onTick === undefined) {
    return runPaper(fixture, o.outPath, o.overrides, undefined, hooks);
  }
  const t = tapFixture(fixture, tap, o.timed ?? false);
  return runPaper(t.fixture, o.outPath, o.overrides, t.onOutput, hooks);
}

/** A tap that streams lines to a file, kept only if the whole run succeeds. */
export interface FileTap {
  readonly file: LinesFile;
  readonly tap: PaperTap;
}

/**
 * Run `body` with the taps of `files` combined: when it succeeds every file
 * is committed (renamed into place), when it fails every one is removed.
 */
export async function withFileTaps<T>(
  files: readonly (FileTap | undefined)[],
  body: (tap: PaperTap) => Promise<T>,
): Promise<T> {
  const list = files.filter((f): f is FileTap => f !== undefined);
  try {
    const result = await body(combineTaps(...list.map((f) => f.tap)));
    for (const f of list) f.file.commit();
    return result;
  } catch (e) {
    for (const f of list) f.file.abort();
    throw e;
  }
}

/** Every output as one canonical JSON line. */
export function outputsFileTap(path: string): FileTap {
  const file = new LinesFile(path);
  return {
    file,
    tap: {
      onTrading: () => file.restart(),
      onTick: (_s, out) => file.write(out.text()),
    },
  };
}
