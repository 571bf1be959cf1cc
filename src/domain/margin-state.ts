/**
 * A USD-M margin account at a moment, as the simulated venue reports it for
 * the run summary and the report (read at the equity points only). Values at
 * the account's marks, in the quote asset.
 */

import type { Decimal } from "../core/decimal.js";

export interface MarginSymbolState {
  readonly symbol: string;
  /** Signed position (0 when flat). */
  readonly position: Decimal;
  readonly mark: Decimal;
  /**
   * The mark at which the account would be liquidated, the other positions
   * held at their marks (undefined when flat or when no price would).
   */
  readonly liquidationPrice: Decimal | undefined;
}

export interface MarginState {
  /** Wallet balance + unrealized PnL at the marks. */
  readonly marginBalance: Decimal;
  /** Sum of |position| x mark. */
  readonly positionNotional: Decimal;
  /** (position notional + open orders' notional) / leverage. */
  readonly initialMargin: Decimal;
  readonly maintenanceMargin: Decimal;
  /** Every symbol marked so far, in first-marked order. */
  readonly symbols: readonly MarginSymbolState[];
}
