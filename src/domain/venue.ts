/**
 * The venue port: where orders go. A venue takes order commands and reports
 * what happened to them as order events, in the order it happened, to one
 * listener. Simulated venues answer at once (their events reach the listener
 * before `submit`/`cancel` return); exchange venues answer later.
 *
 * Implementations: ReferenceVenue (the reference engine's fill rules),
 * SimulatedVenue (fees, latency, queue and partial fills), BinanceSpotVenue.
 * All of them pass the one venue contract suite (test/support/venue-contract).
 */

import type { Decimal } from "../core/decimal.js";
import type { OrderSide } from "./enums.js";
import type { MarginState } from "./margin-state.js";
import type { CancelOrder, SubmitOrder, VenueEvent } from "./orders.js";
import type { Snapshot } from "./snapshot.js";

export type OrderEventListener = (event: VenueEvent) => void;

/** An order resting on a venue's book. */
export interface VenueOrder {
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly price: Decimal;
  readonly quantity: Decimal;
  readonly filledQuantity: Decimal;
}

export interface Venue {
  /** Short name for logs and results ("reference", "simulated", "binance-spot"). */
  readonly name: string;
  /** Where events go; set once by the runtime before the first command. */
  setListener(listener: OrderEventListener): void;
  submit(cmd: SubmitOrder): void | Promise<void>;
  cancel(cmd: CancelOrder): void | Promise<void>;
  /** The orders the venue holds for `symbol`. */
  openOrders(symbol: string): readonly VenueOrder[] | Promise<readonly VenueOrder[]>;
}

/**
 * A venue the backtest runtime drives with the market's own events: it
 * answers at once and keeps no clock of its own (time is the events' time).
 */
export interface SimulationVenue extends Venue {
  submit(cmd: SubmitOrder): void;
  cancel(cmd: CancelOrder): void;
  openOrders(symbol: string): readonly VenueOrder[];
  /** A market event reaches the venue, before the strategy sees it: resting orders may fill. */
  onMarket(s: Snapshot): void;
  /**
   * After the strategy's commands for `s` were executed. `evaluated`: the
   * strategy evaluated the symbol at this event (the reference venue's tick).
   */
  afterDecision(s: Snapshot, evaluated: boolean): void;
  /** USD-M: the margin account now (undefined, or absent, on spot). */
  marginState?(): MarginState | undefined;
}
