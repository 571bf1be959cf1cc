/**
 * A small Prometheus registry: counters and gauges with fixed label names,
 * rendered in the text exposition format 0.0.4. Output order is fully
 * deterministic: metrics in registration order, samples sorted by their label
 * values (label by label, by an optional explicit value order, then by code
 * point), so two registries with equal contents render identical bytes.
 */

import { ConfigError, InvalidInputError } from "../../core/errors.js";
import { compareCodePoints } from "../../core/strings.js";
import { formatFixed } from "./py-format.js";

export type MetricType = "counter" | "gauge";
export type Labels = Readonly<Record<string, string>>;

export interface MetricOptions {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly string[];
  /** Digits after the point in the exposition; absent prints the shortest form. */
  readonly decimals?: number;
  /** Label sets shown with value 0 while the metric has no sample, so the series stays visible. */
  readonly placeholders?: readonly Labels[];
  /** Rank of label values (an enum's declaration order); unranked values sort after, by code point. */
  readonly valueOrder?: Readonly<Record<string, readonly string[]>>;
  /** Starting value of an unlabelled metric (default 0). */
  readonly initial?: number;
}

export interface Sample {
  readonly labels: readonly (readonly [string, string])[];
  readonly value: number;
}

/** Content type of the text exposition format this registry writes. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Escape a label value: backslash, double quote and line feed. */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Escape HELP text: backslash and line feed. */
export function escapeHelp(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/** A sample value as the exposition format spells it. */
export function formatSampleValue(v: number, decimals?: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "+Inf";
  if (v === Number.NEGATIVE_INFINITY) return "-Inf";
  if (decimals !== undefined) return formatFixed(v, decimals);
  if (Object.is(v, -0)) return "0";
  return String(v);
}

interface Cell {
  readonly values: readonly string[];
  value: number;
}

abstract class Metric {
  abstract readonly type: MetricType;
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly decimals: number | undefined;
  private readonly placeholders: readonly (readonly string[])[];
  private readonly ranks: readonly ReadonlyMap<string, number>[];
  private readonly initial: number;
  protected readonly cells = new Map<string, Cell>();

  constructor(opts: MetricOptions) {
    if (!METRIC_NAME.test(opts.name)) throw new ConfigError(`invalid metric name: ${opts.name}`);
    const labelNames = opts.labelNames ?? [];
    for (const l of labelNames) {
      if (!LABEL_NAME.test(l) || l.startsWith("__")) {
        throw new ConfigError(`invalid label name ${JSON.stringify(l)} on ${opts.name}`);
      }
    }
    if (new Set(labelNames).size !== labelNames.length) {
      throw new ConfigError(`duplicate label name on ${opts.name}`);
    }
    this.name = opts.name;
    this.help = opts.help;
    this.labelNames = [...labelNames];
    this.decimals = opts.decimals;
    this.initial = opts.initial ?? 0;
    this.ranks = this.labelNames.map(
      (l) => new Map((opts.valueOrder?.[l] ?? []).map((v, i) => [v, i] as const)),
    );
    this.placeholders = (opts.placeholders ?? []).map((p) => this.labelValues(p));
  }

  /** Label values in label-name order; rejects missing or unknown label names. */
  protected labelValues(labels: Labels): string[] {
    const keys = Object.keys(labels);
    for (const k of keys) {
      if (!this.labelNames.includes(k)) {
        throw new InvalidInputError(`metric ${this.name} has no label ${JSON.stringify(k)}`);
      }
    }
    return this.labelNames.map((l) => {
      const v = labels[l];
      if (typeof v !== "string") {
        throw new InvalidInputError(`metric ${this.name} needs label ${JSON.stringify(l)}`);
      }
      return v;
    });
  }

  protected cell(labels: Labels): Cell {
    const values = this.labelValues(labels);
    const key = JSON.stringify(values);
    let c = this.cells.get(key);
    if (c === undefined) {
      c = { values, value: this.labelNames.length === 0 ? this.initial : 0 };
      this.cells.set(key, c);
    }
    return c;
  }

  /** Current value of one series (0 when it was never touched). */
  get(labels: Labels = {}): number {
    const c = this.cells.get(JSON.stringify(this.labelValues(labels)));
    if (c !== undefined) return c.value;
    return this.labelNames.length === 0 ? this.initial : 0;
  }

  /** Forget every series (an unlabelled metric returns to its initial value). */
  reset(): void {
    this.cells.clear();
  }

  private compare(a: readonly string[], b: readonly string[]): number {
    for (let i = 0; i < a.length; i++) {
      const x = a[i] as string;
      const y = b[i] as string;
      if (x === y) continue;
      const rank = this.ranks[i] as ReadonlyMap<string, number>;
      const rx = rank.get(x) ?? Number.POSITIVE_INFINITY;
      const ry = rank.get(y) ?? Number.POSITIVE_INFINITY;
      if (rx !== ry) return rx < ry ? -1 : 1;
      return compareCodePoints(x, y);
    }
    return 0;
  }

  /** Samples in exposition order. */
  collect(): Sample[] {
    if (this.labelNames.length === 0) {
      return [{ labels: [], value: this.get() }];
    }
    const rows: { values: readonly string[]; value: number }[] =
      this.cells.size > 0
        ? [...this.cells.values()]
        : this.placeholders.map((values) => ({ values, value: 0 }));
    rows.sort((a, b) => this.compare(a.values, b.values));
    return rows.map((r) => ({
      labels: r.values.map((v, i) => [this.labelNames[i] as string, v] as const),
      value: r.value,
    }));
  }

  /** HELP, TYPE and sample lines of this metric. */
  render(): string[] {
    const lines = [
      `# HELP ${this.name} ${escapeHelp(this.help)}`,
      `# TYPE ${this.name} ${this.type}`,
    ];
    for (const s of this.collect()) {
      const labels =
        s.labels.length === 0
          ? ""
          : "{" + s.labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(",") + "}";
      lines.push(`${this.name}${labels} ${formatSampleValue(s.value, this.decimals)}`);
    }
    return lines;
  }
}

/** A monotonically increasing count. */
export class Counter extends Metric {
  readonly type = "counter" as const;

  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0) || !Number.isFinite(by)) {
      throw new InvalidInputError(`counter ${this.name} can only grow (got ${by})`);
    }
    this.cell(labels).value += by;
  }

  /**
   * Mirror a cumulative count kept elsewhere (an engine's own counters). A
   * smaller total than before is a counter reset (the source restarted),
   * which Prometheus' rate() understands.
   */
  setTotal(labels: Labels, total: number): void {
    if (!(total >= 0) || !Number.isFinite(total)) {
      throw new InvalidInputError(`counter ${this.name} total must be >= 0 (got ${total})`);
    }
    this.cell(labels).value = total;
  }
}

/** A value that can go up and down. */
export class Gauge extends Metric {
  readonly type = "gauge" as const;

  set(value: number, labels: Labels = {}): void {
    this.cell(labels).value = value;
  }

  inc(labels: Labels = {}, by = 1): void {
    this.cell(labels).value += by;
  }
}

export interface RegistryOptions {
  /** Label names no metric may declare (high-cardinality keys). */
  readonly forbiddenLabelNames?: readonly string[];
}

export class MetricsRegistry {
  private readonly metrics: (Counter | Gauge)[] = [];
  private readonly collectors: (() => void)[] = [];
  private readonly forbidden: ReadonlySet<string>;

  constructor(opts: RegistryOptions = {}) {
    this.forbidden = new Set(opts.forbiddenLabelNames ?? []);
  }

  private add<M extends Counter | Gauge>(m: M): M {
    if (this.metrics.some((x) => x.name === m.name)) {
      throw new ConfigError(`metric ${m.name} is already registered`);
    }
    for (const l of m.labelNames) {
      if (this.forbidden.has(l)) {
        throw new ConfigError(`metric ${m.name} uses forbidden label ${JSON.stringify(l)}`);
      }
    }
    this.metrics.push(m);
    return m;
  }

  counter(opts: MetricOptions): Counter {
    return this.add(new Counter(opts));
  }

  gauge(opts: MetricOptions): Gauge {
    return this.add(new Gauge(opts));
  }

  /** Run `fn` before every render (to copy values kept elsewhere into metrics). */
  addCollector(fn: () => void): void {
    this.collectors.push(fn);
  }

  /** Registered metrics in registration (= exposition) order. */
  list(): readonly (Counter | Gauge)[] {
    return this.metrics;
  }

  /** The whole exposition text; every line, the last included, ends with "\n". */
  render(): string {
    for (const fn of this.collectors) fn();
    const lines: string[] = [];
    for (const m of this.metrics) lines.push(...m.render());
    return lines.length === 0 ? "" : lines.join("\n") + "\n";
  }
}
