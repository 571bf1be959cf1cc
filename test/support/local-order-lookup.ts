/**
 * How the local exchanges find their orders: by the client id a test names
 * (the latest with it, as ids are reused once an order is closed), by the
 * `origClientOrderId` or `orderId` a request names, and whether one is
 * still open. Also the book a placement may cross.
 */

import type { Decimal } from "../../src/core/decimal.js";

export interface NamedOrder {
  readonly symbol: string;
  readonly orderId: number;
  readonly clientOrderId: string;
  readonly status: string;
}

/** Best bid and ask of a symbol. */
export interface Book {
  readonly bid: Decimal;
  readonly ask: Decimal;
}

export function isOpen(o: NamedOrder): boolean {
  return o.status === "NEW" || o.status === "PARTIALLY_FILLED";
}

/** The latest order with this client id. */
export function latestByClientId<T extends NamedOrder>(
  orders: readonly T[],
  clientOrderId: string,
): T | undefined {
  return [...orders].reverse().find((x) => x.clientOrderId === clientOrderId);
}

/** The order a request names (by client id: the latest with that id, as ids are reused). */
export function findNamed<T extends NamedOrder>(
  orders: readonly T[],
  params: URLSearchParams,
  symbol: string,
): T | undefined {
  const cid = params.get("origClientOrderId");
  const oid = params.get("orderId");
  return [...orders]
    .reverse()
    .find(
      (o) =>
        o.symbol === symbol &&
        ((cid !== null && o.clientOrderId === cid) || (oid !== null && String(o.orderId) === oid)),
    );
}

/** Whether an open order already has this client id (a placement with it is a duplicate). */
export function openWithClientId(orders: readonly NamedOrder[], clientOrderId: string): boolean {
  return orders.some((o) => o.clientOrderId === clientOrderId && isOpen(o));
}

/**
 * The price a placement trades at on `book` at once (as taker): a BUY at or
 * above the ask at the ask, a SELL at or below the bid at the bid; a market
 * order (`limit` undefined) always; else undefined.
 */
export function crossPrice(
  book: Book | undefined,
  side: string,
  limit: Decimal | undefined,
): Decimal | undefined {
  if (book === undefined) return undefined;
  if (side === "BUY") return limit === undefined || !limit.lt(book.ask) ? book.ask : undefined;
  if (side === "SELL") return limit === undefined || !limit.gt(book.bid) ? book.bid : undefined;
  return undefined;
}
