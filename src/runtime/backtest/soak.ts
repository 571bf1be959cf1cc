/**
 * Soak run: paper-trade fixtures several times in a row and measure how the
 * engine holds up: per-event latency (p50, p99, max), peak resident memory,
 * fill rate, errors, events never processed, and whether every iteration of a
 * fixture gives the same digest.
 *
 * Latency of an event is the time from handing its snapshot to the paper run
 * to receiving its output (the engine's processEvent plus the run's digest
 * update), measured with process.hrtime.bigint(); events that produce no
 * output (symbols Top-K left out) are not sampled.
 *
 * Overload mode multiplies the load synthetically: every snapshot is replayed
 * as `copies` snapshots of distinct symbols (SYMBOL, SYMBOL_2, ...; same
 * quotes), and the timeline is compressed `compression` times towards the
 * fixture's first timestamp (ts' = t0 + floor((ts - t0) / compression)), so
 * the engine sees copies x compression times the event rate: many more
 * symbols to select from, rate limits and cooldowns hit far more often.
 */

import { errorMessage } from "../../core/errors.js";
import type { FixtureEvent } from "../../data/fixture-events.js";
import type { Fixture } from "../../data/fixture-reader.js";
import { openFixture } from "../../data/fixture-reader.js";
import { Snapshot } from "../../domain/snapshot.js";
import { displayPath } from "./backtest.js";
import { type PaperTap, runPaperTapped } from "./backtest-tap.js";

export const SOAK_REPORT_SCHEMA_VERSION = "v1";
export const DEFAULT_SOAK_ITERATIONS = 3;
export const DEFAULT_OVERLOAD_COPIES = 4;
export const DEFAULT_OVERLOAD_COMPRESSION = 10;

export const SOAK_MODES = ["baseline", "overload"] as const;
export type SoakMode = (typeof SOAK_MODES)[number];

/** Errors kept per fixture in the report (all are counted). */
const ERRORS_KEPT = 10;
/** Resident memory is sampled every this many snapshots. */
const RSS_EVERY = 1024;

/** A fixture's events with every snapshot copied to `copies` symbols on a compressed timeline. */
export function overloadFixture(fixture: Fixture, copies: number, compression: number): Fixture {
  if (!Number.isInteger(copies) || copies < 1) {
    throw new RangeError(`overload copies: expected an integer >= 1, got ${copies}`);
  }
  if (!Number.isInteger(compression) || compression < 1) {
    throw new RangeError(`overload compression: expected an integer >= 1, got ${compression}`);
  }
  const { events, snapshots } = fixture.stats;
  return {
    dir: fixture.dir,
    eventsPath: fixture.eventsPath,
    config: fixture.config,
    stats: {
      ...fixture.stats,
      events: events - snapshots + snapshots * copies,
      snapshots: snapshots * copies,
    },
    *events(): Generator<FixtureEvent> {
      let t0: number | undefined;
      for (const ev of fixture.events()) {
        if (ev.kind !== "snapshot") {
          yield ev;
          continue;
        }
        const s = ev.snapshot;
        t0 ??= s.ts;
        const ts = t0 + Math.floor((s.ts - t0) / compression);
        for (let c = 0; c < copies; c++) {
          const symbol = c === 0 ? s.symbol : `${s.symbol}_${c + 1}`;
          yield { kind: "snapshot", snapshot: new Snapshot({ ...fieldsOf(s), ts, symbol }) };
        }
      }
    },
  };
}

function fieldsOf(s: Snapshot): ConstructorParameters<typeof Snapshot>[0] {
  return {
    ts: s.ts,
    symbol: s.symbol,
    bidPrice: s.bidPrice,
    askPrice: s.askPrice,
    bidQty: s.bidQty,
    askQty: s.askQty,
    lastPrice: s.lastPrice,
    lastQty: s.lastQty,
  };
}

/** Latency samples in ms (a growable Float64Array). */
export class LatencySamples {
  private data = new Float64Array(1024);
  private n = 0;

  get count(): number {
    return this.n;
  }

  push(ms: number): void {
    if (this.n === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.n++] = ms;
  }

  pushAll(other: LatencySamples): void {
    for (let i = 0; i < other.n; i++) this.push(other.data[i] as number);
  }

  private sorted(): Float64Array {
    return this.data.slice(0, this.n).sort();
  }

  /**
   * p50 as the median (mean of the two middle values for an even count),
   * other quantiles as the sample at floor(n * q) (the reference's rule); 0 when empty.
   */
  quantile(q: number): number {
    if (this.n === 0) return 0;
    const s = this.sorted();
    if (q === 0.5) {
      const mid = Math.floor(this.n / 2);
      return this.n % 2 === 1
        ? (s[mid] as number)
        : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
    }
    return s[Math.min(Math.floor(this.n * q), this.n - 1)] as number;
  }

  max(): number {
    let m = 0;
    for (let i = 0; i < this.n; i++) m = Math.max(m, this.data[i] as number);
    return m;
  }
}

function round(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}

export interface SoakFixtureResult {
  readonly fixture_path: string;
  readonly runs: number;
  readonly events_per_run: number;
  /** Snapshots processed over all runs (a failed run counts what it got through). */
  readonly events_processed: number;
  readonly latency_p50_ms: number;
  readonly latency_p99_ms: number;
  readonly latency_max_ms: number;
  readonly orders_placed: number;
  readonly total_fills: number;
  readonly fill_rate: number;
  readonly successful_runs: number;
  readonly events_dropped: number;
  readonly errors_total: number;
  readonly errors: string[];
  readonly digests: string[];
  readonly digest_stable: boolean;
  readonly expected_paper_digest: string;
  /** Baseline only (overload changes the events): the digest equals the recorded one. */
  readonly digest_matches_expected: boolean | null;
  readonly events_per_second: number;
}

export interface SoakReport {
  readonly schema_version: string;
  readonly mode: SoakMode;
  readonly overload: { readonly symbol_copies: number; readonly time_compression: number } | null;
  readonly fixtures_tested: number;
  readonly iterations: number;
  readonly total_runs: number;
  readonly events_processed: number;
  readonly events_dropped: number;
  readonly decision_latency_p50_ms: number;
  readonly decision_latency_p99_ms: number;
  readonly decision_latency_max_ms: number;
  readonly rss_mb_max: number;
  readonly fill_rate: number;
  readonly errors_total: number;
  readonly all_digests_stable: boolean;
  readonly duration_s: number;
  readonly events_per_second: number;
  readonly results: SoakFixtureResult[];
}

export interface SoakOptions {
  readonly dirs: readonly string[];
  readonly mode: SoakMode;
  readonly iterations?: number;
  /** Overload: snapshot copies per event (default 4). */
  readonly copies?: number;
  /** Overload: timeline compression factor (default 10). */
  readonly compression?: number;
  /** Called for every snapshot read (progress). */
  readonly onRead?: (fixture: string, iteration: number, totalRead: number) => void;
}

class RssProbe {
  maxBytes = 0;
  sample(): void {
    this.maxBytes = Math.max(this.maxBytes, process.memoryUsage.rss());
  }
  /** MB, including the process's peak as the OS recorded it (maxRSS, KiB). */
  peakMb(): number {
    this.sample();
    return Math.max(this.maxBytes / (1024 * 1024), process.resourceUsage().maxRSS / 1024);
  }
}

async function soakFixture(
  dir: string,
  o: SoakOptions,
  iterations: number,
  all: LatencySamples,
  rss: RssProbe,
  read: { total: number },
): Promise<SoakFixtureResult> {
  const name = displayPath(dir);
  const samples = new LatencySamples();
  const errors: string[] = [];
  let errorsTotal = 0;
  const digests: string[] = [];
  let orders = 0;
  let fills = 0;
  let dropped = 0;
  let processed = 0;
  let eventsPerRun = 0;
  let succeeded = 0;
  let expected = "";
  let elapsedNs = 0n;
  const addError = (e: string): void => {
    errorsTotal++;
    if (errors.length < ERRORS_KEPT) errors.push(e);
  };
  let fixture: Fixture | undefined;
  try {
    const base = openFixture(dir);
    expected =
      typeof base.config.expected_paper_digest === "string"
        ? base.config.expected_paper_digest
        : "";
    fixture =
      o.mode === "overload"
        ? overloadFixture(
            base,
            o.copies ?? DEFAULT_OVERLOAD_COPIES,
            o.compression ?? DEFAULT_OVERLOAD_COMPRESSION,
          )
        : base;
    eventsPerRun = fixture.stats.snapshots;
  } catch (e) {
    addError(`cannot open fixture: ${errorMessage(e)}`);
  }
  for (let it = 1; fixture !== undefined && it <= iterations; it++) {
    let readInPass = 0;
    const tap: PaperTap = {
      onRead: (_s, n) => {
        readInPass = n;
        read.total++;
        if (read.total % RSS_EVERY === 0) rss.sample();
        o.onRead?.(name, it, read.total);
      },
      onTick: (_s, _out, ns) => samples.push(ns / 1e6),
    };
    const start = process.hrtime.bigint();
    try {
      const r = await runPaperTapped(fixture, { tap, timed: true });
      digests.push(r.digest);
      orders += r.ordersPlaced;
      fills += r.totalFills;
      processed += eventsPerRun;
      succeeded++;
      for (const e of r.errors) addError(`run ${it}: ${e}`);
    } catch (e) {
      digests.push("");
      addError(`run ${it} failed: ${errorMessage(e)}`);
      processed += Math.min(readInPass, eventsPerRun);
      dropped += Math.max(0, eventsPerRun - readInPass);
    }
    elapsedNs += process.hrtime.bigint() - start;
    rss.sample();
  }
  all.pushAll(samples);
  const stable = digests.length > 0 && digests.every((d) => d !== "" && d === digests[0]);
  const seconds = Number(elapsedNs) / 1e9;
  return {
    fixture_path: name,
    runs: digests.length,
    events_per_run: eventsPerRun,
    events_processed: processed,
    latency_p50_ms: round(samples.quantile(0.5), 4),
    latency_p99_ms: round(samples.quantile(0.99), 4),
    latency_max_ms: round(samples.max(), 4),
    orders_placed: orders,
    total_fills: fills,
    // No order placed counts as 1 (nothing to fill), as in the reference.
    fill_rate: round(orders === 0 ? 1 : fills / orders, 4),
    successful_runs: succeeded,
    events_dropped: dropped,
    errors_total: errorsTotal,
    errors,
    digests,
    digest_stable: stable,
    expected_paper_digest: expected,
    digest_matches_expected:
      o.mode === "baseline" && expected !== "" ? digests.every((d) => d === expected) : null,
    events_per_second: round(seconds > 0 ? processed / seconds : 0, 1),
  };
}

/** Soak every fixture `iterations` times (fixture order kept). */
export async function runSoak(o: SoakOptions): Promise<SoakReport> {
  const iterations = o.iterations ?? DEFAULT_SOAK_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new RangeError(`soak iterations: expected an integer >= 1, got ${iterations}`);
  }
  const all = new LatencySamples();
  const rss = new RssProbe();
  const read = { total: 0 };
  const start = process.hrtime.bigint();
  const results: SoakFixtureResult[] = [];
  for (const dir of o.dirs) results.push(await soakFixture(dir, o, iterations, all, rss, read));
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const processed = results.reduce((a, r) => a + r.events_processed, 0);
  const rates = results.filter((r) => r.successful_runs > 0).map((r) => r.fill_rate);
  return {
    schema_version: SOAK_REPORT_SCHEMA_VERSION,
    mode: o.mode,
    overload:
      o.mode === "overload"
        ? {
            symbol_copies: o.copies ?? DEFAULT_OVERLOAD_COPIES,
            time_compression: o.compression ?? DEFAULT_OVERLOAD_COMPRESSION,
          }
        : null,
    fixtures_tested: results.length,
    iterations,
    total_runs: results.reduce((a, r) => a + r.runs, 0),
    events_processed: processed,
    events_dropped: results.reduce((a, r) => a + r.events_dropped, 0),
    decision_latency_p50_ms: round(all.quantile(0.5), 4),
    decision_latency_p99_ms: round(all.quantile(0.99), 4),
    decision_latency_max_ms: round(all.max(), 4),
    rss_mb_max: round(rss.peakMb(), 1),
    // The mean of the fixtures' fill rates, as the reference computes it.
    fill_rate: round(rates.length === 0 ? 0 : rates.reduce((a, x) => a + x, 0) / rates.length, 4),
    errors_total: results.reduce((a, r) => a + r.errors_total, 0),
    all_digests_stable: results.every((r) => r.digest_stable),
    duration_s: round(seconds, 3),
    events_per_second: round(seconds > 0 ? processed / seconds : 0, 1),
    results,
  };
}
