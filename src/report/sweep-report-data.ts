/**
 * The input of the sweep report (sweep-report.ts): the trials of a parameter
 * sweep with their summaries, the objective, optionally the equity curves of
 * the best trials and a walk-forward's windows. Built by the sweep runtime;
 * plain data (numbers and strings), so the page is a pure function of it.
 */

/** A swept parameter's value as given on the command line (after parsing). */
export type SweepParamValue = number | string | boolean;

/** One point of an equity curve: data time (ms since the epoch) and equity. */
export interface SweepEquityPoint {
  readonly ts: number;
  readonly equity: number;
}

export interface SweepTrialRow {
  /** Stable id of the trial (a hash of data, options and code version). */
  readonly id: string;
  /** The swept parameters' values, by parameter name. */
  readonly params: Readonly<Record<string, SweepParamValue>>;
  /**
   * The run summary (RunSummaryJson of summary.ts, flattened: nested objects
   * such as blocked_by_reason left out); decimal strings stay strings.
   */
  readonly summary: Readonly<Record<string, number | string | null>>;
  /** The objective's value (null when the summary has none, e.g. no Sharpe without returns). */
  readonly objective: number | null;
}

export interface SweepObjective {
  /** A summary key, e.g. "net_pnl", "sharpe". */
  readonly key: string;
  readonly direction: "max" | "min";
}

export interface WalkForwardWindowRow {
  readonly index: number;
  /** Day spans, inclusive, as YYYY-MM-DD. */
  readonly trainFrom: string;
  readonly trainTo: string;
  readonly testFrom: string;
  readonly testTo: string;
  /** The trial chosen on the train span and its parameters. */
  readonly chosenTrialId: string;
  readonly params: Readonly<Record<string, SweepParamValue>>;
  /** The objective on the train span (in sample) and on the test span (out of sample). */
  readonly inSample: number | null;
  readonly outOfSample: number | null;
}

export interface WalkForwardReport {
  readonly windows: readonly WalkForwardWindowRow[];
  /**
   * Out-of-sample equity stitched across the test spans: each window's test
   * run starts from the previous window's final equity.
   */
  readonly stitchedEquity: readonly SweepEquityPoint[];
}

export interface SweepReportData {
  readonly title: string;
  /** Header lines: data, symbols, days, trials, seed, ... */
  readonly meta: readonly { readonly label: string; readonly value: string | number }[];
  readonly objective: SweepObjective;
  /** The swept parameters, in the order given. */
  readonly parameters: readonly string[];
  /** The two parameters of the heatmap (x then y), when at least two were swept. */
  readonly heatmap?: { readonly x: string; readonly y: string };
  /** Every trial, in trial order. */
  readonly trials: readonly SweepTrialRow[];
  /** Equity curves of the best trials (by objective), best first. */
  readonly topEquity: readonly {
    readonly trialId: string;
    readonly points: readonly SweepEquityPoint[];
  }[];
  readonly walkForward?: WalkForwardReport;
  /** Money unit for labels ("USDT"), "" when mixed. */
  readonly quote: string;
  /**
   * The name of the CSV with every trial (the results table points to it
   * when it shows only the best rows); "the sweep's CSV" when absent.
   */
  readonly resultsCsv?: string;
}
