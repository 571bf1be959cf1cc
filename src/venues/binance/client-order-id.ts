/**
 * Client order ids on the exchange, derived deterministically: the same
 * order always gets the same id, so a retry after an unknown outcome can be
 * checked by querying the id, the exchange rejects a duplicate while the
 * first is open, and a restart that rebuilds the kernel from its journal
 * recognises its orders on the exchange.
 *
 * Format: `<prefix>-e<epoch>-<hash>`: the prefix (1-10 characters), the HA
 * fencing epoch the order was sent under (0 when not under HA, at most 7
 * digits) and 16 hex characters of SHA-256 of the order's key. At most 36
 * characters of Binance's `^[.A-Z:/a-z0-9_-]{1,36}$`.
 */

import { createHash } from "node:crypto";
import { ConfigError } from "../../core/errors.js";

export const DEFAULT_CLIENT_ORDER_ID_PREFIX = "grinder";

/** Binance: `^[\.A-Z\:/a-z0-9_-]{1,36}$`. */
const CLIENT_ORDER_ID = /^[.A-Z:/a-z0-9_-]{1,36}$/;
const PREFIX = /^[.A-Z:/a-z0-9_-]{1,10}$/;
const HASH_CHARS = 16;
export const MAX_EPOCH = 9_999_999;

export function assertClientOrderIdPrefix(prefix: string): void {
  if (!PREFIX.test(prefix))
    throw new ConfigError(
      `client order id prefix must be 1-10 characters of [.A-Za-z0-9:/_-], got ${JSON.stringify(prefix)}`,
    );
}

export function assertEpoch(epoch: number): void {
  if (!Number.isSafeInteger(epoch) || epoch < 0 || epoch > MAX_EPOCH)
    throw new ConfigError(`fencing epoch must be a whole number 0-${MAX_EPOCH}, got ${epoch}`);
}

/**
 * The exchange's client order id of a kernel order sent under `epoch`: the
 * hash is of `{runId}/{kernel client order id}`. The kernel's ids are unique
 * within a run (`SYMBOL:ts:level:SIDE:n`) and the run id is drawn once per
 * journal, so two orders never share an id.
 */
export function exchangeClientOrderId(
  runId: string,
  kernelClientOrderId: string,
  epoch = 0,
  prefix = DEFAULT_CLIENT_ORDER_ID_PREFIX,
): string {
  return clientOrderIdFromKey(`${runId}/${kernelClientOrderId}`, epoch, prefix);
}

/** `prefix-e<epoch>-` + first 16 hex characters of SHA-256(key): at most 36 characters. */
export function clientOrderIdFromKey(
  key: string,
  epoch = 0,
  prefix = DEFAULT_CLIENT_ORDER_ID_PREFIX,
): string {
  assertClientOrderIdPrefix(prefix);
  assertEpoch(epoch);
  const hash = createHash("sha256").update(key, "utf8").digest("hex").slice(0, HASH_CHARS);
  const id = `${prefix}-e${epoch}-${hash}`;
  if (!CLIENT_ORDER_ID.test(id)) throw new ConfigError(`invalid client order id ${id}`);
  return id;
}

/** The epoch an id of ours was sent under (undefined when the id is not ours). */
export function epochOfClientOrderId(
  id: string,
  prefix = DEFAULT_CLIENT_ORDER_ID_PREFIX,
): number | undefined {
  if (!id.startsWith(`${prefix}-e`)) return undefined;
  const m = /^(0|[1-9][0-9]{0,6})-([0-9a-f]{16})$/.exec(id.slice(prefix.length + 2));
  return m === null ? undefined : Number(m[1]);
}

/** Whether an exchange order carries one of our ids (under any epoch). */
export function isOurClientOrderId(id: string, prefix = DEFAULT_CLIENT_ORDER_ID_PREFIX): boolean {
  return epochOfClientOrderId(id, prefix) !== undefined;
}
