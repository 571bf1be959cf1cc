/**
 * Prefilter v0: hard gates deciding whether a symbol may be traded at all.
 * The first failing gate wins; its order is part of the contract.
 */

import type { JsonValue } from "../../core/canonical-json.js";

export const FilterReason = {
  PASS: "PASS",
  SPREAD_TOO_HIGH: "SPREAD_TOO_HIGH",
  VOL_24H_TOO_LOW: "VOL_24H_TOO_LOW",
  VOL_1H_TOO_LOW: "VOL_1H_TOO_LOW",
  ACTIVITY_TOO_LOW: "ACTIVITY_TOO_LOW",
  OI_TOO_LOW: "OI_TOO_LOW",
  BLACKLISTED: "BLACKLISTED",
  DELISTING: "DELISTING",
} as const;
export type FilterReason = (typeof FilterReason)[keyof typeof FilterReason];

/** Default thresholds of the hard gates. */
export const PREFILTER_DEFAULTS = Object.freeze({
  spreadMaxBps: 15.0,
  vol24hMinUsd: 10_000_000,
  vol1hMinUsd: 500_000,
  tradeCount1mMin: 100,
  oiMinUsd: 5_000_000,
  blacklist: Object.freeze(new Set<string>()) as ReadonlySet<string>,
});

export type PrefilterThresholds = typeof PREFILTER_DEFAULTS;

/** Market features the gates look at; the optional ones are skipped when absent. */
export interface PrefilterFeatures {
  readonly spreadBps: number;
  readonly vol24hUsd: number;
  readonly vol1hUsd?: number;
  readonly tradeCount1m?: number;
  readonly oiUsd?: number;
  readonly isDelisting?: boolean;
}

export interface FilterResult {
  readonly allowed: boolean;
  readonly reason: FilterReason;
  readonly symbol: string;
}

export function filterResultToJson(r: FilterResult): JsonValue {
  return { allowed: r.allowed, reason: r.reason, symbol: r.symbol };
}

function blockReason(
  symbol: string,
  f: PrefilterFeatures,
  t: PrefilterThresholds,
): FilterReason | undefined {
  if (t.blacklist.has(symbol)) return FilterReason.BLACKLISTED;
  if (f.isDelisting === true) return FilterReason.DELISTING;
  if (f.spreadBps > t.spreadMaxBps) return FilterReason.SPREAD_TOO_HIGH;
  if (f.vol24hUsd < t.vol24hMinUsd) return FilterReason.VOL_24H_TOO_LOW;
  if (f.vol1hUsd !== undefined && f.vol1hUsd < t.vol1hMinUsd) return FilterReason.VOL_1H_TOO_LOW;
  if (f.tradeCount1m !== undefined && f.tradeCount1m < t.tradeCount1mMin) {
    return FilterReason.ACTIVITY_TOO_LOW;
  }
  if (f.oiUsd !== undefined && f.oiUsd < t.oiMinUsd) return FilterReason.OI_TOO_LOW;
  return undefined;
}

/** Apply the hard gates in contract order. */
export function hardFilter(
  symbol: string,
  features: PrefilterFeatures,
  thresholds: PrefilterThresholds = PREFILTER_DEFAULTS,
): FilterResult {
  const reason = blockReason(symbol, features, thresholds);
  return reason === undefined
    ? { allowed: true, reason: FilterReason.PASS, symbol }
    : { allowed: false, reason, symbol };
}

/**
 * Replay and paper have no volume feed: they assume volumes that pass the
 * volume gates, so only the spread gate can block.
 */
export function assumedVolumeFeatures(spreadBps: number): PrefilterFeatures {
  return { spreadBps, vol24hUsd: 100_000_000, vol1hUsd: 10_000_000 };
}
