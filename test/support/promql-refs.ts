/**
 * What a PromQL expression refers to: metric selectors with their label
 * matchers, and the labels of `by (...)` / `without (...)` groupings. Enough
 * to check dashboards and alert rules against the metrics contract; not a
 * PromQL parser.
 */

import { findHistogramSeries, findMetricSpec } from "../../src/ops/metrics/metrics-contract.js";

export interface LabelMatcher {
  readonly label: string;
  readonly op: "=" | "!=" | "=~" | "!~";
  readonly value: string;
}

export interface MetricRef {
  readonly name: string;
  readonly matchers: readonly LabelMatcher[];
}

/** Labels Prometheus attaches to every scraped series. */
export const TARGET_LABELS: readonly string[] = ["job", "instance"];

const SELECTOR = /(?<![a-zA-Z0-9_:.$])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\{([^}]*)\})?/g;
const MATCHER = /([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g;
const GROUPING = /\b(?:by|without)\s*\(([^)]*)\)/g;

/** Metric selectors whose name passes `isMetric` (default: `grinder_*` and `up`). */
export function extractMetricRefs(expr: string, isMetric = defaultIsMetric): MetricRef[] {
  const out: MetricRef[] = [];
  for (const m of expr.matchAll(SELECTOR)) {
    const name = m[1] as string;
    if (!isMetric(name)) continue;
    const matchers: LabelMatcher[] = [];
    for (const mm of (m[3] ?? "").matchAll(MATCHER)) {
      matchers.push({
        label: mm[1] as string,
        op: mm[2] as LabelMatcher["op"],
        value: mm[3] as string,
      });
    }
    out.push({ name, matchers });
  }
  return out;
}

function defaultIsMetric(name: string): boolean {
  return name.startsWith("grinder_") || name === "up";
}

/** Label names used in `by (...)` and `without (...)` clauses. */
export function extractGroupingLabels(expr: string): string[] {
  const out: string[] = [];
  for (const m of expr.matchAll(GROUPING)) {
    for (const l of (m[1] as string).split(",")) {
      const t = l.trim();
      if (t !== "") out.push(t);
    }
  }
  return out;
}

/** Whether parentheses, brackets and braces nest properly (outside strings). */
export function bracketsBalanced(expr: string): boolean {
  const stack: string[] = [];
  const pairs: Record<string, string> = { ")": "(", "]": "[", "}": "{" };
  let inString = false;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i] as string;
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "(" || c === "[" || c === "{") stack.push(c);
    else if (c in pairs) {
      if (stack.pop() !== pairs[c]) return false;
    }
  }
  return stack.length === 0 && !inString;
}

/**
 * Problems of an expression against the metrics contract: unknown grinder
 * metrics, unknown labels, label values outside a closed set, grouping by a
 * label none of its metrics has, unbalanced brackets. Empty when fine.
 */
export function checkExprAgainstContract(expr: string): string[] {
  const problems: string[] = [];
  if (!bracketsBalanced(expr)) problems.push("unbalanced brackets");
  const refs = extractMetricRefs(expr);
  const known = new Set<string>(TARGET_LABELS);
  for (const ref of refs) {
    if (ref.name === "up") continue;
    const spec = findMetricSpec(ref.name) ?? findHistogramSeries(ref.name);
    if (spec === undefined) {
      problems.push(`unknown metric ${ref.name}`);
      continue;
    }
    for (const l of spec.labels) known.add(l);
    for (const mt of ref.matchers) {
      if (TARGET_LABELS.includes(mt.label)) continue;
      if (!spec.labels.includes(mt.label)) {
        problems.push(`${ref.name} has no label ${mt.label}`);
        continue;
      }
      const closed = spec.labelValues?.[mt.label];
      if (closed === undefined) continue;
      const values = mt.op === "=~" || mt.op === "!~" ? mt.value.split("|") : [mt.value];
      for (const v of values) {
        if (/^[A-Za-z0-9_]+$/.test(v) && !closed.includes(v)) {
          problems.push(`${ref.name}: ${mt.label}="${v}" is not one of ${closed.join(", ")}`);
        }
      }
    }
  }
  for (const l of extractGroupingLabels(expr)) {
    if (!known.has(l)) problems.push(`grouping by ${l}, which none of the metrics has`);
  }
  return problems;
}
