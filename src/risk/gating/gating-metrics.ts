/**
 * Counters of gating decisions by gate (allowed) and by gate and reason
 * (blocked), with a Prometheus text export. Metric names and label keys are
 * stable contracts.
 */

import type { GateName, GateReason } from "./gate-codes.js";

export const METRIC_GATING_ALLOWED = "grinder_gating_allowed_total";
export const METRIC_GATING_BLOCKED = "grinder_gating_blocked_total";
export const LABEL_GATE = "gate";
export const LABEL_REASON = "reason";

interface BlockedCounter {
  readonly gate: string;
  readonly reason: string;
  count: number;
}

/** How the reference prints a label value inside `getMetrics` keys (a quoted literal). */
function quoteLiteral(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    if (ch === "\\") out += "\\\\";
    else if (ch === quote) out += "\\" + ch;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else out += ch;
  }
  return out + quote;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class GatingMetrics {
  /** Allowed count by gate, in first-seen order. */
  private readonly allowedTotal = new Map<string, number>();
  /** Blocked count by (gate, reason), in first-seen order. */
  private readonly blockedTotal = new Map<string, BlockedCounter>();

  recordAllowed(gate: GateName): void {
    this.allowedTotal.set(gate, (this.allowedTotal.get(gate) ?? 0) + 1);
  }

  recordBlocked(gate: GateName, reason: GateReason): void {
    const key = gate + "\u0000" + reason;
    const c = this.blockedTotal.get(key);
    if (c === undefined) this.blockedTotal.set(key, { gate, reason, count: 1 });
    else c.count += 1;
  }

  getAllowedCount(gate: GateName): number {
    return this.allowedTotal.get(gate) ?? 0;
  }

  /** Blocked count of a gate for one reason, or over all reasons when `reason` is omitted. */
  getBlockedCount(gate: GateName, reason?: GateReason): number {
    if (reason !== undefined) return this.blockedTotal.get(gate + "\u0000" + reason)?.count ?? 0;
    let total = 0;
    for (const c of this.blockedTotal.values()) if (c.gate === gate) total += c.count;
    return total;
  }

  /**
   * Counters by metric name, each a map from a label string such as
   * `{gate='risk_gate',reason='MAX_NOTIONAL_EXCEEDED'}` to its count.
   */
  getMetrics(): Record<string, Record<string, number>> {
    const allowed: Record<string, number> = {};
    for (const [gate, count] of this.allowedTotal) {
      allowed[`{${LABEL_GATE}=${quoteLiteral(gate)}}`] = count;
    }
    const blocked: Record<string, number> = {};
    for (const c of this.blockedTotal.values()) {
      blocked[`{${LABEL_GATE}=${quoteLiteral(c.gate)},${LABEL_REASON}=${quoteLiteral(c.reason)}}`] =
        c.count;
    }
    return { [METRIC_GATING_ALLOWED]: allowed, [METRIC_GATING_BLOCKED]: blocked };
  }

  /** Prometheus text lines (HELP, TYPE, then samples sorted by labels). */
  toPrometheusLines(): string[] {
    const lines: string[] = [];
    lines.push(`# HELP ${METRIC_GATING_ALLOWED} Total allowed gating decisions`);
    lines.push(`# TYPE ${METRIC_GATING_ALLOWED} counter`);
    const allowed = [...this.allowedTotal].sort((a, b) => compareStrings(a[0], b[0]));
    for (const [gate, count] of allowed) {
      lines.push(`${METRIC_GATING_ALLOWED}{${LABEL_GATE}="${gate}"} ${count}`);
    }
    lines.push(`# HELP ${METRIC_GATING_BLOCKED} Total blocked gating decisions`);
    lines.push(`# TYPE ${METRIC_GATING_BLOCKED} counter`);
    const blocked = [...this.blockedTotal.values()].sort(
      (a, b) => compareStrings(a.gate, b.gate) || compareStrings(a.reason, b.reason),
    );
    for (const c of blocked) {
      lines.push(
        `${METRIC_GATING_BLOCKED}{${LABEL_GATE}="${c.gate}",${LABEL_REASON}="${c.reason}"} ${c.count}`,
      );
    }
    return lines;
  }

  reset(): void {
    this.allowedTotal.clear();
    this.blockedTotal.clear();
  }
}

const globalMetrics = new GatingMetrics();

/** The process-wide gating metrics collector. */
export function getGatingMetrics(): GatingMetrics {
  return globalMetrics;
}

/** Reset the process-wide gating metrics. */
export function resetGatingMetrics(): void {
  globalMetrics.reset();
}
