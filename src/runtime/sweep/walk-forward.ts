/**
 * Walk-forward windows over a day range: `train=30d,test=7d[,step=7d]`.
 * Window i trains on `train` days starting `i x step` days after the first
 * day, and tests on the `test` days right after its train span. Only whole
 * windows are made: the last test span ends on or before the range's last
 * day. Days are UTC calendar days (YYYY-MM-DD); `w` counts 7 days.
 */

import { ConfigError } from "../../core/errors.js";

export interface WalkForwardSpec {
  readonly trainDays: number;
  readonly testDays: number;
  readonly stepDays: number;
}

export interface WalkForwardWindow {
  readonly index: number;
  readonly trainFrom: string;
  readonly trainTo: string;
  readonly testFrom: string;
  readonly testTo: string;
}

const DAY_MS = 86_400_000;

function days(text: string, key: string): number {
  const m = /^(\d+)([dw])$/.exec(text.trim());
  const n = m === null ? Number.NaN : Number(m[1]) * (m[2] === "w" ? 7 : 1);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new ConfigError(`--walk-forward: ${key} expects a span like 30d or 2w, got "${text}"`);
  }
  return n;
}

/** Parse `train=30d,test=7d[,step=7d]` (step defaults to test). */
export function parseWalkForward(text: string): WalkForwardSpec {
  const parts = new Map<string, string>();
  for (const item of text.split(",")) {
    const [k = "", v, ...rest] = item.split("=");
    const key = k.trim();
    if (v === undefined || rest.length > 0 || !["train", "test", "step"].includes(key)) {
      throw new ConfigError(
        `--walk-forward: expected train=Nd,test=Nd[,step=Nd], got "${text}" (at "${item}")`,
      );
    }
    if (parts.has(key)) throw new ConfigError(`--walk-forward: ${key} is given twice`);
    parts.set(key, v);
  }
  const train = parts.get("train");
  const test = parts.get("test");
  if (train === undefined || test === undefined) {
    throw new ConfigError(`--walk-forward: train and test are required, got "${text}"`);
  }
  const testDays = days(test, "test");
  const step = parts.get("step");
  return {
    trainDays: days(train, "train"),
    testDays,
    stepDays: step === undefined ? testDays : days(step, "step"),
  };
}

function dayNumber(day: string, what: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(day) ? Date.parse(`${day}T00:00:00Z`) : Number.NaN;
  if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== day) {
    throw new ConfigError(`${what}: expected a day YYYY-MM-DD, got "${day}"`);
  }
  return ms / DAY_MS;
}

function dayText(n: number): string {
  return new Date(n * DAY_MS).toISOString().slice(0, 10);
}

/** The whole windows of `spec` between `from` and `to` (inclusive days). */
export function walkForwardWindows(
  spec: WalkForwardSpec,
  from: string,
  to: string,
): WalkForwardWindow[] {
  const first = dayNumber(from, "--from");
  const last = dayNumber(to, "--to");
  const out: WalkForwardWindow[] = [];
  for (let start = first; start + spec.trainDays + spec.testDays - 1 <= last; ) {
    const testFrom = start + spec.trainDays;
    out.push({
      index: out.length,
      trainFrom: dayText(start),
      trainTo: dayText(testFrom - 1),
      testFrom: dayText(testFrom),
      testTo: dayText(testFrom + spec.testDays - 1),
    });
    start += spec.stepDays;
  }
  if (out.length === 0) {
    const need = spec.trainDays + spec.testDays;
    throw new ConfigError(
      `--walk-forward: ${from} to ${to} is ${last - first + 1} day(s); one window needs ${need} (train ${spec.trainDays} + test ${spec.testDays})`,
    );
  }
  return out;
}
