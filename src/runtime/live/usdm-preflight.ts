/**
 * Before a `--market um` live_trade run starts anything: the account's
 * position mode. Hedge mode is refused (the caller exits 2 with the text);
 * an exchange that cannot be asked now is left to the venue's own start
 * check, which refuses hedge mode too (BinanceUsdmVenue.start).
 */

import { errorMessage, isGrinderError } from "../../core/errors.js";
import { BinanceRestClient } from "../../venues/binance/binance-rest-client.js";
import type { Env } from "../../venues/binance/binance-urls.js";
import { hedgeModeProblem } from "../../venues/binance/usdm-account-check.js";

/** Why the USD-M account cannot be traded (hedge mode), else undefined. */
export async function usdmAccountProblem(
  restUrl: string,
  env: Env,
  log: (line: string) => void,
): Promise<string | undefined> {
  try {
    const client = new BinanceRestClient({
      market: "usdm",
      baseUrl: restUrl,
      env,
      apiKey: env.BINANCE_API_KEY ?? "",
      apiSecret: env.BINANCE_API_SECRET ?? "",
    });
    return await hedgeModeProblem(client);
  } catch (e) {
    if (!isGrinderError(e)) throw e;
    log(`  USD-M position mode not checked now (${errorMessage(e)}); checked again at start`);
    return undefined;
  }
}
