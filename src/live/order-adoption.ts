/**
 * Restart adoption: on start, list the open orders of each symbol, adopt the
 * ones carrying our client order ids (the port can then cancel/replace them),
 * and report the others ("strays") or cancel them when configured.
 */

import { errorMessage } from "../core/errors.js";
import { DEFAULT_CLIENT_ORDER_ID_PREFIX, isOurClientOrderId } from "./client-order-id.js";
import type { LiveExchangePort, LiveOrderRecord } from "./exchange-port.js";

export interface AdoptionOptions {
  readonly clientOrderIdPrefix?: string;
  /** Cancel open orders that are not ours. Default false (report only). */
  readonly cancelStrays?: boolean;
}

export interface AdoptionResult {
  readonly adopted: readonly LiveOrderRecord[];
  readonly strays: readonly LiveOrderRecord[];
  readonly cancelledStrays: readonly string[];
  readonly failedCancels: readonly { readonly orderId: string; readonly error: string }[];
}

export async function adoptOpenOrders(
  port: Pick<LiveExchangePort, "fetchOpenOrders" | "cancelOrder">,
  symbols: readonly string[],
  options: AdoptionOptions = {},
): Promise<AdoptionResult> {
  const prefix = options.clientOrderIdPrefix ?? DEFAULT_CLIENT_ORDER_ID_PREFIX;
  const adopted: LiveOrderRecord[] = [];
  const strays: LiveOrderRecord[] = [];
  const cancelledStrays: string[] = [];
  const failedCancels: { orderId: string; error: string }[] = [];
  for (const symbol of symbols) {
    for (const o of await port.fetchOpenOrders(symbol)) {
      if (isOurClientOrderId(o.orderId, prefix)) adopted.push(o);
      else strays.push(o);
    }
  }
  if (options.cancelStrays) {
    for (const o of strays) {
      try {
        if (await port.cancelOrder({ orderId: o.orderId })) cancelledStrays.push(o.orderId);
        else failedCancels.push({ orderId: o.orderId, error: "not cancelled (no longer open)" });
      } catch (e) {
        failedCancels.push({ orderId: o.orderId, error: errorMessage(e) });
      }
    }
  }
  return { adopted, strays, cancelledStrays, failedCancels };
}
