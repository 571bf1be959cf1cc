/**
 * The USD-M account as live_trade needs it: one-way position mode (hedge
 * mode is refused), checked before a `--market um` run starts
 * (`runtime/live/usdm-preflight.ts`) and again when the venue starts, which
 * also reads and logs the wallet and the open positions.
 */

import type { BinanceRestClient } from "./binance-rest-client.js";
import {
  parseAccount,
  parseDualSidePosition,
  parsePositionRisk,
  type UsdmPosition,
} from "./usdm-messages.js";

/** What to change when the account is in hedge mode. */
export const HEDGE_MODE_REFUSAL =
  "the USD-M account is in hedge mode (dualSidePosition true); grinder trades one-way positions " +
  "only: switch the account to one-way mode (Binance Futures > Preferences > Position Mode > " +
  "One-way, or POST /fapi/v1/positionSide/dual with dualSidePosition=false) with no open " +
  "position or order, then start again";

/** HEDGE_MODE_REFUSAL when the account is in hedge mode (`GET /fapi/v1/positionSide/dual`), else undefined. */
export async function hedgeModeProblem(client: BinanceRestClient): Promise<string | undefined> {
  const dual = parseDualSidePosition(
    await client.signedJson("position_mode", "GET", "/fapi/v1/positionSide/dual", []),
  );
  return dual ? HEDGE_MODE_REFUSAL : undefined;
}

/**
 * The wallet (`GET /fapi/v2/account`) and the open positions
 * (`GET /fapi/v2/positionRisk`), each logged; the open positions returned.
 */
export async function readUsdmAccount(
  client: BinanceRestClient,
  log: (line: string) => void,
): Promise<UsdmPosition[]> {
  const account = parseAccount(await client.signedJson("account", "GET", "/fapi/v2/account", []));
  log(
    `USD-M account: one-way mode, wallet ${account.totalWalletBalance} USDT, available ${account.availableBalance}`,
  );
  const open = parsePositionRisk(
    await client.signedJson("position_risk", "GET", "/fapi/v2/positionRisk", []),
  ).filter((p) => !p.positionAmt.isZero());
  for (const p of open)
    log(
      `USD-M position ${p.symbol} ${p.positionAmt} @ ${p.entryPrice} (mark ${p.markPrice}, leverage ${p.leverage})`,
    );
  return open;
}
