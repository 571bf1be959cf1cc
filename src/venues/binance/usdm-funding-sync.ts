/**
 * Funding of a live USD-M account, booked as FundingApplied events.
 *
 * The user-data stream says that funding was paid (ACCOUNT_UPDATE with
 * reason FUNDING_FEE) but not for which symbol; the account's income
 * history (`GET /fapi/v1/income?incomeType=FUNDING_FEE`) does, one row per
 * symbol and funding time, and the symbol's funding history
 * (`GET /fapi/v1/fundingRate`) gives the rate and mark price settled then.
 * Each payment is booked once, keyed by symbol and time (funding times of a
 * symbol are hours apart); the keys are rebuilt from the journal's
 * FundingApplied events, and payments before the journal began are not ours.
 */

import { Decimal } from "../../core/decimal.js";
import { errorMessage } from "../../core/errors.js";
import type { FundingApplied } from "../../domain/orders.js";
import type { BinanceRestClient } from "./binance-rest-client.js";
import {
  parseFundingIncome,
  parseFundingRates,
  type UsdmFundingIncome,
  type UsdmFundingRate,
} from "./usdm-messages.js";

/** How far from the income row's time the settled funding is looked for. */
const RATE_WINDOW_MS = 60_000;

export interface UsdmFundingSyncDeps {
  readonly client: Pick<BinanceRestClient, "signedJson" | "publicJson">;
  /** The symbol's one-way position as last seen (the position the payment was on). */
  readonly position: (symbol: string) => Decimal;
  readonly log: (line: string) => void;
}

export class UsdmFundingSync {
  private readonly booked = new Set<string>();
  /** Payments from this time on are the run's (the journal's first event, else the start). */
  private since: number | undefined;

  constructor(private readonly deps: UsdmFundingSyncDeps) {}

  /** A journaled item's time: the run began no later. */
  noteJournalTime(ts: number): void {
    if (this.since === undefined || ts < this.since) this.since = ts;
  }

  /** The venue starts trading at `ts` (when no journal says earlier). */
  noteStart(ts: number): void {
    this.since ??= ts;
  }

  /** A journaled payment, replayed: it is not booked again. */
  restore(e: FundingApplied): void {
    this.booked.add(keyOf(e.symbol, e.ts));
    this.noteJournalTime(e.ts);
  }

  /** Payments of `symbols` not booked yet, oldest first. */
  async collect(symbols: ReadonlySet<string>): Promise<FundingApplied[]> {
    if (this.since === undefined || symbols.size === 0) return [];
    const rows = parseFundingIncome(
      await this.deps.client.signedJson("funding_income", "GET", "/fapi/v1/income", [
        ["incomeType", "FUNDING_FEE"],
        ["startTime", String(this.since)],
        ["limit", "1000"],
      ]),
    );
    const fresh = rows
      .filter((r) => symbols.has(r.symbol) && !this.booked.has(keyOf(r.symbol, r.time)))
      .sort((a, b) => a.time - b.time || (a.symbol < b.symbol ? -1 : 1));
    const out: FundingApplied[] = [];
    for (const r of fresh) {
      const settled = await this.settledRate(r);
      this.booked.add(keyOf(r.symbol, r.time));
      out.push({
        kind: "FundingApplied",
        ts: r.time,
        symbol: r.symbol,
        position: this.deps.position(r.symbol),
        markPrice: settled?.markPrice ?? Decimal.ZERO,
        rate: settled?.fundingRate ?? Decimal.ZERO,
        payment: r.income,
      });
    }
    return out;
  }

  /** The funding settled nearest the payment's time (undefined: not found, said so). */
  private async settledRate(r: UsdmFundingIncome): Promise<UsdmFundingRate | undefined> {
    try {
      const q = new URLSearchParams({
        symbol: r.symbol,
        startTime: String(r.time - RATE_WINDOW_MS),
        endTime: String(r.time + RATE_WINDOW_MS),
      });
      const rates = parseFundingRates(
        await this.deps.client.publicJson("funding_rate", `/fapi/v1/fundingRate?${q}`),
      );
      let best: UsdmFundingRate | undefined;
      for (const x of rates) {
        if (x.symbol !== r.symbol) continue;
        if (
          best === undefined ||
          Math.abs(x.fundingTime - r.time) < Math.abs(best.fundingTime - r.time)
        )
          best = x;
      }
      if (best === undefined)
        this.deps.log(`funding of ${r.symbol} at ${r.time}: no settled rate found (rate 0)`);
      return best;
    } catch (e) {
      this.deps.log(`funding rate of ${r.symbol} at ${r.time}: ${errorMessage(e)} (rate 0)`);
      return undefined;
    }
  }
}

function keyOf(symbol: string, ts: number): string {
  return `${symbol}@${ts}`;
}
