/**
 * live_trade: the exchange filters the kernel rounds with (its InstrumentSpec
 * path, the realistic profile's order rules), fixed for the life of a
 * journal so that a replay rebuilds the same kernel:
 *
 * - `--exchange-info FILE` when given;
 * - else `<journal>.exchange-info.json`: written (temp file, then renamed)
 *   from `GET /api/v3/exchangeInfo` when a new journal starts, read back by
 *   every later run of that journal (a STANDBY too);
 * - none when an existing journal has no such file (it was started without
 *   one) or the fetch failed (said so): the kernel then derives the
 *   increments from the data, as before.
 *
 * The venue checks every order against the exchange's current filters
 * anyway (read again after a -1013), so a rule that changed later is caught
 * before sending.
 */

import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { errorMessage } from "../../core/errors.js";
import type { InstrumentSpec } from "../../domain/instrument.js";
import { BinanceRestClient } from "../../venues/binance/binance-rest-client.js";
import type { Env } from "../../venues/binance/binance-urls.js";
import { parseExchangeInfo, readExchangeInfoFile } from "../../venues/binance/exchange-info.js";

/** The spot exchange's exchangeInfo reply (public; the client is built with the run's keys). */
export function exchangeInfoFrom(restUrl: string, env: Env): Promise<unknown> {
  return new BinanceRestClient({
    market: "spot",
    baseUrl: restUrl,
    env,
    apiKey: env.BINANCE_API_KEY ?? "",
    apiSecret: env.BINANCE_API_SECRET ?? "",
  }).exchangeInfo();
}

export function exchangeInfoPathOf(journalPath: string): string {
  return `${journalPath}.exchange-info.json`;
}

function isNewJournal(path: string): boolean {
  try {
    return statSync(path).size === 0;
  } catch {
    return true;
  }
}

/** The filters of a live_trade run (see the file comment). */
export async function liveTradeInstruments(
  journalPath: string,
  exchangeInfoFile: string | undefined,
  fetchExchangeInfo: () => Promise<unknown>,
  log: (line: string) => void,
): Promise<ReadonlyMap<string, InstrumentSpec> | undefined> {
  if (exchangeInfoFile !== undefined) return readExchangeInfoFile(exchangeInfoFile);
  const path = exchangeInfoPathOf(journalPath);
  if (existsSync(path)) return readExchangeInfoFile(path);
  if (!isNewJournal(journalPath)) return undefined;
  try {
    const raw = await fetchExchangeInfo();
    const specs = parseExchangeInfo(raw, "exchangeInfo reply");
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, `${JSON.stringify(raw)}\n`);
    renameSync(tmp, path);
    log(`exchange filters of ${specs.size} symbols saved to ${path}`);
    return specs;
  } catch (e) {
    log(`exchange filters not read (${errorMessage(e)}): the kernel derives them from the data`);
    return undefined;
  }
}
