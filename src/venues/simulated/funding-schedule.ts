/**
 * When funding is paid on a USD-M perpetual and at what rate: the rates of
 * Binance's funding dumps when given (calc_time, rate), else a constant rate
 * every `intervalHours` from 00:00 UTC (Binance's usual 8 h: 00, 08, 16).
 */

import type { Decimal } from "../../core/decimal.js";

export interface FundingEvent {
  readonly ts: number;
  readonly rate: Decimal;
}

export interface FundingSchedule {
  /** Funding events of `symbol` in (after, upTo], in time order. */
  between(symbol: string, after: number, upTo: number): readonly FundingEvent[];
}

const HOUR_MS = 3_600_000;

/** A constant rate every `intervalHours`, on the UTC hour grid. */
export class ConstantFunding implements FundingSchedule {
  private readonly stepMs: number;

  constructor(
    private readonly rate: Decimal,
    intervalHours: number,
  ) {
    this.stepMs = intervalHours * HOUR_MS;
  }

  between(_symbol: string, after: number, upTo: number): readonly FundingEvent[] {
    const out: FundingEvent[] = [];
    let t = (Math.floor(after / this.stepMs) + 1) * this.stepMs;
    for (; t <= upTo; t += this.stepMs) out.push({ ts: t, rate: this.rate });
    return out;
  }
}

/** Recorded funding events per symbol (sorted by time); symbols without any get none. */
export class RecordedFunding implements FundingSchedule {
  private readonly bySymbol: ReadonlyMap<string, readonly FundingEvent[]>;

  constructor(bySymbol: ReadonlyMap<string, readonly FundingEvent[]>) {
    this.bySymbol = bySymbol;
  }

  between(symbol: string, after: number, upTo: number): readonly FundingEvent[] {
    const list = this.bySymbol.get(symbol);
    if (list === undefined || list.length === 0) return [];
    // First event after `after` (binary search), then while <= upTo.
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((list[mid] as FundingEvent).ts <= after) lo = mid + 1;
      else hi = mid;
    }
    const out: FundingEvent[] = [];
    for (let i = lo; i < list.length && (list[i] as FundingEvent).ts <= upTo; i++) {
      out.push(list[i] as FundingEvent);
    }
    return out;
  }
}
