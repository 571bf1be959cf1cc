/**
 * A USD-M SimulatedVenue for tests: no latency, no trading fees, fills not
 * limited by L1, quotes with bid = ask = the mid; and readers of the CSV
 * exports of USD-M data backtests.
 */

import { readFileSync } from "node:fs";
import { Decimal, dec } from "../../src/core/decimal.js";
import type { VenueEvent } from "../../src/domain/orders.js";
import { Snapshot } from "../../src/domain/snapshot.js";
import { FeeModel } from "../../src/venues/simulated/fee-model.js";
import {
  ConstantFunding,
  type FundingSchedule,
} from "../../src/venues/simulated/funding-schedule.js";
import { ConstantLatency } from "../../src/venues/simulated/latency-model.js";
import { flatMaintenance, MarginAccount } from "../../src/venues/simulated/margin-account.js";
import { SimulatedVenue } from "../../src/venues/simulated/simulated-venue.js";

/** A quote at `mid` on both sides, `qty` deep. */
export function flatQuote(ts: number, mid: string, symbol = "BTCUSDT", qty = "100"): Snapshot {
  const m = dec(mid);
  return new Snapshot({
    ts,
    symbol,
    bidPrice: m,
    askPrice: m,
    bidQty: dec(qty),
    askQty: dec(qty),
    lastPrice: m,
    lastQty: Decimal.ZERO,
  });
}

export interface UsdmVenueOptions {
  readonly capital?: string;
  readonly funding?: FundingSchedule;
  /** Flat maintenance rate; default 0.004. */
  readonly mmr?: string;
  readonly leverage?: string;
}

/** The venue, the events it reported (in order) and its margin account. */
export function usdmVenue(o: UsdmVenueOptions = {}): {
  readonly v: SimulatedVenue;
  readonly events: VenueEvent[];
  readonly account: MarginAccount;
} {
  const account = new MarginAccount({
    capital: dec(o.capital ?? "100000"),
    maintenance: flatMaintenance(dec(o.mmr ?? "0.004")),
    liquidationFeeRate: dec("0.0125"),
    leverage: dec(o.leverage ?? "1"),
    funding: o.funding ?? new ConstantFunding(dec("0.0001"), 8),
  });
  const v = new SimulatedVenue({
    fillModel: "cross",
    latency: new ConstantLatency(0, 0),
    fees: new FeeModel({ makerBps: 0, takerBps: 0 }),
    l1QtyLimitsFills: false,
    feeAsset: () => "USDT",
    account,
  });
  const events: VenueEvent[] = [];
  v.setListener((e) => events.push(e));
  return { v, events, account };
}

/** The rows of a CSV export with a header, as records. */
export function csvRecords(path: string): Record<string, string>[] {
  const [header, ...rows] = readFileSync(path, "utf8").trim().split("\n");
  const keys = (header as string).split(",");
  return rows.map((r) => Object.fromEntries(r.split(",").map((v, i) => [keys[i] as string, v])));
}

/** The position after the `--fills` rows up to and including `t` (signed: BUY +, SELL -). */
export function positionAt(fills: readonly Record<string, string>[], t: number): Decimal {
  return fills
    .filter((f) => Number(f.ts) <= t)
    .reduce(
      (acc, f) => acc.add(f.side === "BUY" ? dec(f.qty as string) : dec(f.qty as string).negate()),
      Decimal.ZERO,
    );
}
