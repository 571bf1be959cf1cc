/**
 * Watching a paper run from outside without changing it: the fixture's event
 * stream is wrapped so every snapshot handed to the engine is seen, and the
 * paper run's `onOutput` hook is paired with the snapshot that produced the
 * output (the engine pulls snapshots one at a time, so the last one handed
 * out is the one being processed). Reports, per-tick output files, progress
 * bars and the soak's latency samples are all built on this, on top of
 * `runPaper`, so they see exactly what a plain paper run computes.
 */

import type { JsonValue } from "../../core/canonical-json.js";
import { canonicalJson } from "../../core/canonical-json.js";
import type { Fixture, FixtureEvent } from "../../data/fixture-reader.js";
import type { Snapshot } from "../../domain/snapshot.js";
import { JsonlWriter } from "./backtest-files.js";
import { type PaperRunSummary, runPaper } from "./run-paper.js";

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
  readonly onTick?: (snapshot: Snapshot, output: PaperOutputJson, elapsedNs: number) => void;
}

/** One tap that calls each of `taps` in order. */
export function combineTaps(...taps: readonly (PaperTap | undefined)[]): PaperTap {
  const list = taps.filter((t): t is PaperTap => t !== undefined);
  const reads = list.flatMap((t) => (t.onRead ? [t.onRead] : []));
  const ticks = list.flatMap((t) => (t.onTick ? [t.onTick] : []));
  return {
    onRead:
      reads.length === 0
        ? undefined
        : (s, n, pass) => {
            for (const f of reads) f(s, n, pass);
          },
    onTick:
      ticks.length === 0
        ? undefined
        : (s, out, ns) => {
            for (const f of ticks) f(s, out, ns);
          },
  };
}

/** A fixture whose event stream reports to `tap`, and the onOutput hook to give runPaper. */
export function tapFixture(
  fixture: Fixture,
  tap: PaperTap,
  timed = false,
): { readonly fixture: Fixture; readonly onOutput: (json: PaperOutputJson) => void } {
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
    dataShape: fixture.dataShape,
    instruments: fixture.instruments,
    fundingRates: fixture.fundingRates,
    leverageBrackets: fixture.leverageBrackets,
  };
  const onOutput = (json: PaperOutputJson): void => {
    if (current === undefined || tap.onTick === undefined) return;
    const ns = timed ? Number(process.hrtime.bigint() - handedAt) : 0;
    tap.onTick(current, json, ns);
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
}

/** `runPaper`, watched by a tap (a plain runPaper when there is nothing to watch). */
export async function runPaperTapped(
  fixture: Fixture,
  o: TappedRunOptions = {},
): Promise<PaperRunSummary> {
  if (o.tap === undefined || (o.tap.onRead === undefined && o.tap.onTick === undefined)) {
    return runPaper(fixture, o.outPath, o.overrides);
  }
  const t = tapFixture(fixture, o.tap, o.timed ?? false);
  return runPaper(t.fixture, o.outPath, o.overrides, t.onOutput);
}

/**
 * Run `body` with a tap that streams every output as one canonical JSON line
 * to `path` (written to a temp file, renamed when `body` succeeds, removed
 * when it fails). Without a path the tap is undefined and nothing is kept.
 */
export async function withOutputsFile<T>(
  path: string | undefined,
  body: (tap: PaperTap | undefined) => Promise<T>,
): Promise<T> {
  if (path === undefined) return body(undefined);
  const writer = new JsonlWriter(path);
  try {
    const result = await body({
      onTick: (_s, out) => writer.write(canonicalJson(out as JsonValue)),
    });
    writer.commit();
    return result;
  } catch (e) {
    writer.abort();
    throw e;
  }
}
