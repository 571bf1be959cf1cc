/** Whether live_trade may send real orders (the same guards as the testnet smoke test). */

import type { Env } from "./binance-urls.js";
import { checkEnvGuards } from "./smoke-testnet.js";

/**
 * Why live_trade may not start, or undefined when it is armed: `--confirm
 * TESTNET`, ARMED=1, ALLOW_TESTNET_TRADE=1 and both keys, as for the smoke test.
 */
export function liveTradeArmingProblem(env: Env, confirmed: boolean): string | undefined {
  const reason = !confirmed ? "--confirm TESTNET not given" : checkEnvGuards(env);
  if (reason === undefined) return undefined;
  return (
    `live_trade is not armed: ${reason}. Real orders need --confirm TESTNET, ARMED=1, ` +
    "ALLOW_TESTNET_TRADE=1, BINANCE_API_KEY and BINANCE_API_SECRET"
  );
}
