/**
 * Client order ids on the exchange, derived deterministically: the same
 * order always gets the same id, so a retry after an unknown outcome can be
 * checked by querying the id, the exchange rejects a duplicate while the
 * first is open, and a restart that rebuilds the kernel from its journal
 * recognises its orders on the exchange.
 */

import { createHash } from "node:crypto";
import { ConfigError } from "../../core/errors.js";

export const DEFAULT_CLIENT_ORDER_ID_PREFIX = "grinder_";

/** Binance: `^[\.A-Z\:/a-z0-9_-]{1,36}$`. */
const CLIENT_ORDER_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;
const HASH_CHARS = 24;

export function assertClientOrderIdPrefix(prefix: string): void {
  if (!/^[.A-Z:/a-z0-9_-]{1,12}$/.test(prefix))
    throw new ConfigError(
      `client order id prefix must be 1-12 characters of [.A-Za-z0-9:/_-], got ${JSON.stringify(prefix)}`,
    );
}

/**
 * The exchange's client order id of a kernel order: `prefix` + the first 24
 * hex characters of SHA-256(`{runId}/{kernel client order id}`). The kernel's
 * ids are unique within a run (`SYMBOL:ts:level:SIDE:n`) and the run id is
 * drawn once per journal, so two orders never share an id.
 */
export function exchangeClientOrderId(
  runId: string,
  kernelClientOrderId: string,
  prefix = DEFAULT_CLIENT_ORDER_ID_PREFIX,
): string {
  return clientOrderIdFromKey(`${runId}/${kernelClientOrderId}`, prefix);
}

/** `prefix` + first 24 hex characters of SHA-256(key): at most 36 characters. */
export function clientOrderIdFromKey(key: string, prefix = DEFAULT_CLIENT_ORDER_ID_PREFIX): string {
  assertClientOrderIdPrefix(prefix);
  const id = prefix + createHash("sha256").update(key, "utf8").digest("hex").slice(0, HASH_CHARS);
  if (!CLIENT_ORDER_ID.test(id)) throw new ConfigError(`invalid client order id ${id}`);
  return id;
}

/** Whether an exchange order carries one of our ids. */
export function isOurClientOrderId(id: string, prefix = DEFAULT_CLIENT_ORDER_ID_PREFIX): boolean {
  return (
    id.startsWith(prefix) &&
    id.length === prefix.length + HASH_CHARS &&
    /^[0-9a-f]+$/.test(id.slice(prefix.length))
  );
}
