/** What the kernel hands out: its decisions, booked fills and the account. */

import type { Decimal } from "../core/decimal.js";
import type { MarginState } from "../domain/margin-state.js";
import type { OrderCommand, OrderFilled } from "../domain/orders.js";

/** A fill as the kernel booked it. */
export interface BookedFill {
  readonly fill: OrderFilled;
  /** Its fee in the quote asset. */
  readonly feeQuote: Decimal;
  /** When the order was submitted (undefined for an order the kernel did not hold). */
  readonly submitTs: number | undefined;
}

/** The account now (quote asset): equity = capital + realized + unrealized - fees + funding. */
export interface AccountState {
  readonly equity: Decimal;
  readonly realized: Decimal;
  readonly unrealized: Decimal;
  readonly fees: Decimal;
  /** Funding received (negative: paid). */
  readonly funding: Decimal;
  /** Sum of |position| x mark over symbols. */
  readonly positionNotional: Decimal;
  /** USD-M: the venue's margin account at the same moment (at its own marks). */
  readonly margin?: MarginState;
}

/** What the kernel decided for one market event. */
export interface KernelDecision {
  /** Commands for the venue, in order. */
  readonly commands: readonly OrderCommand[];
  /**
   * The strategy evaluated the symbol at this event: a tick of the reference
   * venue's clock (resting orders are checked for fills only then).
   */
  readonly evaluated: boolean;
}
