/**
 * `grinder smoke-testnet`: place one far-from-market micro limit order on the
 * Binance testnet and cancel it, to prove keys, signing, clock and order flow.
 *
 * Dry-run unless ALL of: `--confirm TESTNET`, ARMED=1, ALLOW_TESTNET_TRADE=1,
 * BINANCE_API_KEY and BINANCE_API_SECRET. The endpoints come from
 * `--rest-url` / `--ws-url`, else the environment, else the testnet; a
 * production host is refused before anything else (exit 2). Keys are never
 * printed.
 */

import {
  boolFlag,
  FlagErrors,
  type Options,
  parseFlags,
  stringFlag,
  stringsFlag,
} from "../../argv/args.js";
import type { Clock, Sleep } from "../../core/clock.js";
import { Decimal } from "../../core/decimal.js";
import { errorMessage, InvalidInputError } from "../../core/errors.js";
import { OrderSide } from "../../domain/enums.js";
import type { HttpClient } from "../../net/http-client.js";
import { BinanceRestClient } from "./binance-rest-client.js";
import { type BinanceMarket, type Env, withAllowedHosts } from "./binance-urls.js";
import { clientOrderIdFromKey } from "./client-order-id.js";
import { type BinanceEndpoints, resolveBinanceEndpoints } from "./endpoints.js";

export interface SmokeIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Test seams (default: fetch, the system clock, real sleeps). */
  readonly httpClient?: HttpClient;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
}

export const SMOKE_USAGE = `usage: grinder smoke-testnet [--confirm TESTNET] [--symbol SYMBOL] [--price PRICE]
                              [--quantity QTY] [--market spot|usdm] [--kill-switch]
                              [--rest-url URL] [--ws-url URL]
                              [--allow-host HOST [--allow-host HOST ...]]

Place one micro limit order on the Binance TESTNET and cancel it.
Dry-run (no HTTP calls) unless --confirm TESTNET is given AND the environment has
ARMED=1, ALLOW_TESTNET_TRADE=1, BINANCE_API_KEY and BINANCE_API_SECRET.

  --confirm TESTNET   place a real order on the testnet
  --symbol SYMBOL     symbol to trade (default BTCUSDT)
  --price PRICE       limit price, far from the market so it rests (default 10000.00)
  --quantity QTY      order quantity (default 0.001)
  --market MARKET     spot (default) or usdm (USD-M futures testnet)
  --kill-switch       simulate an active kill switch: no order is placed
  --rest-url URL      REST base URL (default: GRINDER_BINANCE_REST_URL, else the testnet)
  --ws-url URL        WebSocket URL, checked only (default: GRINDER_BINANCE_WS_URL, else the
                      testnet); the smoke test opens no stream
  --allow-host HOST   a host name the URLs may use besides the testnet and demo hosts and
                      loopback (repeatable; adds to GRINDER_ALLOW_HOSTS; never an IP address
                      or a production host)

Production hosts are refused wherever the URL comes from (exit 2).`;

interface SmokeArgs {
  confirm: string | undefined;
  symbol: string;
  price: Decimal;
  quantity: Decimal;
  market: BinanceMarket;
  killSwitch: boolean;
  restUrl: string | undefined;
  wsUrl: string | undefined;
  allowHosts: readonly string[];
  help: boolean;
}

const SMOKE_OPTIONS = {
  confirm: { type: "string" },
  symbol: { type: "string" },
  price: { type: "string" },
  quantity: { type: "string" },
  market: { type: "string" },
  "kill-switch": { type: "boolean" },
  "rest-url": { type: "string" },
  "ws-url": { type: "string" },
  "allow-host": { type: "string", multiple: true },
  help: { type: "boolean", short: "h" },
} as const satisfies Options;

function positiveDecimal(flag: string, v: string): Decimal {
  const d = Decimal.tryParse(v);
  if (d === undefined || !d.isPositive())
    throw new InvalidInputError(`${flag}: expected a positive decimal, got ${JSON.stringify(v)}`);
  return d;
}

function parseSmokeArgs(argv: readonly string[]): SmokeArgs {
  const a = parseFlags(argv, SMOKE_OPTIONS);
  const errors = new FlagErrors();
  const confirm = stringFlag(a, "confirm");
  if (confirm !== undefined && confirm !== "TESTNET")
    errors.add(`--confirm: invalid choice ${JSON.stringify(confirm)} (choose from TESTNET)`);
  const symbol = stringFlag(a, "symbol") ?? "BTCUSDT";
  if (!/^[A-Z0-9]{2,30}$/.test(symbol))
    errors.add(`--symbol: invalid symbol ${JSON.stringify(symbol)}`);
  const market = stringFlag(a, "market") ?? "spot";
  if (market !== "spot" && market !== "usdm")
    errors.add(`--market: expected spot or usdm, got ${JSON.stringify(market)}`);
  const price = Decimal.parse("10000.00");
  const quantity = Decimal.parse("0.001");
  const args: SmokeArgs = {
    confirm: confirm === "TESTNET" ? confirm : undefined,
    symbol,
    price: errors.value(price, () =>
      positiveDecimal("--price", stringFlag(a, "price") ?? "10000.00"),
    ),
    quantity: errors.value(quantity, () =>
      positiveDecimal("--quantity", stringFlag(a, "quantity") ?? "0.001"),
    ),
    market: market === "usdm" ? "usdm" : "spot",
    killSwitch: boolFlag(a, "kill-switch"),
    restUrl: stringFlag(a, "rest-url"),
    wsUrl: stringFlag(a, "ws-url"),
    allowHosts: stringsFlag(a, "allow-host") ?? [],
    help: boolFlag(a, "help"),
  };
  errors.check();
  return args;
}

function truthy(v: string | undefined): boolean {
  return ["1", "true", "yes"].includes((v ?? "").trim().toLowerCase());
}

/** Why a real run may not go ahead, or undefined when every guard passes. */
export function checkEnvGuards(env: Env): string | undefined {
  if (!env.BINANCE_API_KEY) return "BINANCE_API_KEY not set";
  if (!env.BINANCE_API_SECRET) return "BINANCE_API_SECRET not set";
  if (!truthy(env.ARMED)) return "ARMED=1 not set";
  if (!truthy(env.ALLOW_TESTNET_TRADE)) return "ALLOW_TESTNET_TRADE=1 not set";
  return undefined;
}

interface SmokeResult {
  success: boolean;
  mode: string;
  orderPlaced: boolean;
  orderId?: string;
  orderVisible?: boolean;
  orderCancelled: boolean;
  error?: string;
  details?: string[];
}

const RULE = "=".repeat(60);

function printSummary(r: SmokeResult, out: (l: string) => void): void {
  out("");
  out(RULE);
  out(`SMOKE TEST RESULT: ${r.success ? "PASS" : "FAIL"}`);
  out(RULE);
  out(`  Mode: ${r.mode}`);
  out(`  Order placed: ${r.orderPlaced}`);
  if (r.orderId) out(`  Order ID: ${r.orderId}`);
  if (r.orderVisible !== undefined) out(`  Order seen in open orders: ${r.orderVisible}`);
  out(`  Order cancelled: ${r.orderCancelled}`);
  if (r.error) out(`  Error: ${r.error}`);
  for (const d of r.details ?? []) out(`  ${d}`);
  out(RULE);
}

/** Run the smoke test; resolves with the exit code (0 pass, 1 fail, 2 usage). */
export async function runSmokeTestnet(
  argv: readonly string[],
  env: Env,
  io: SmokeIo,
): Promise<number> {
  let args: SmokeArgs;
  try {
    args = parseSmokeArgs(argv);
  } catch (e) {
    if (!(e instanceof InvalidInputError)) throw e;
    io.err(`grinder smoke-testnet: error: ${e.message}`);
    io.err(SMOKE_USAGE);
    return 2;
  }
  if (args.help) {
    io.out(SMOKE_USAGE);
    return 0;
  }
  let endpoints: BinanceEndpoints;
  try {
    env = withAllowedHosts(env, args.allowHosts);
    endpoints = resolveBinanceEndpoints(
      args.market,
      { restUrl: args.restUrl, wsUrl: args.wsUrl },
      env,
    );
  } catch (e) {
    io.err(`grinder smoke-testnet: error: ${errorMessage(e)}`);
    return 2;
  }
  const dryRun = args.confirm !== "TESTNET";
  const mode = dryRun ? "dry-run" : "live-testnet";
  io.out(RULE);
  if (dryRun) {
    io.out("DRY-RUN MODE (no real orders, no HTTP calls)");
    io.out("To place a real order on the testnet, use: --confirm TESTNET");
  } else {
    io.out("LIVE TESTNET MODE");
    io.out("A real order will be placed on the Binance testnet");
  }
  io.out(RULE);
  io.out("");
  io.out(`Starting smoke test (mode=${mode}, market=${args.market}, symbol=${args.symbol})`);
  io.out(`  Price: ${args.price.toString()}, Quantity: ${args.quantity.toString()}`);

  const result = await smoke(args, endpoints, dryRun, mode, env, io);
  printSummary(result, result.success ? io.out : io.err);
  return result.success ? 0 : 1;
}

async function smoke(
  args: SmokeArgs,
  endpoints: BinanceEndpoints,
  dryRun: boolean,
  mode: string,
  env: Env,
  io: SmokeIo,
): Promise<SmokeResult> {
  const base = { mode, orderPlaced: false, orderCancelled: false };
  if (!dryRun) {
    const reason = checkEnvGuards(env);
    if (reason !== undefined)
      return {
        ...base,
        success: false,
        error: `Environment guard failed: ${reason}. A real run needs --confirm TESTNET, ARMED=1, ALLOW_TESTNET_TRADE=1, BINANCE_API_KEY and BINANCE_API_SECRET.`,
      };
  }
  const clientOrderId = clientOrderIdFromKey(
    `smoke/${args.market}/${args.symbol}/BUY/${args.price.toString()}/${args.quantity.toString()}`,
  );
  let client: BinanceRestClient | undefined;
  if (!dryRun) {
    try {
      client = new BinanceRestClient({
        market: args.market,
        baseUrl: endpoints.rest.url,
        env,
        apiKey: env.BINANCE_API_KEY ?? "",
        apiSecret: env.BINANCE_API_SECRET ?? "",
        symbolWhitelist: [args.symbol],
        ...(io.httpClient ? { httpClient: io.httpClient } : {}),
        ...(io.clock ? { clock: io.clock } : {}),
        ...(io.sleep ? { sleep: io.sleep } : {}),
      });
    } catch (e) {
      return { ...base, success: false, error: `Config error: ${errorMessage(e)}` };
    }
  }
  io.out(`  Endpoint: ${endpoints.rest.url}${dryRun ? " (not contacted)" : ""}`);
  if (endpoints.ws.source !== "default")
    io.out(`  WebSocket endpoint: ${endpoints.ws.url} (checked, not used by the smoke test)`);

  if (args.killSwitch) {
    io.out("  Kill-switch is ACTIVE - PLACE blocked, CANCEL allowed");
    return {
      ...base,
      success: true,
      error: "Kill-switch active - order placement blocked (expected)",
      details: ["kill_switch: true"],
    };
  }

  io.out(
    `  Placing limit order: ${args.symbol} BUY ${args.quantity.toString()} @ ${args.price.toString()}`,
  );
  try {
    await client?.placeLimitOrder({
      symbol: args.symbol,
      side: OrderSide.BUY,
      price: args.price,
      quantity: args.quantity,
      clientOrderId,
    });
  } catch (e) {
    return { ...base, success: false, error: `Place order failed: ${errorMessage(e)}` };
  }
  io.out(`  Order placed: ${clientOrderId}`);

  let orderVisible: boolean | undefined;
  if (client !== undefined) {
    try {
      orderVisible = (await client.openOrders(args.symbol)).some(
        (o) => o.clientOrderId === clientOrderId,
      );
      io.out(`  Order seen in open orders: ${orderVisible}`);
    } catch (e) {
      io.out(`  Open orders check failed: ${errorMessage(e)}`);
    }
  }

  io.out(`  Cancelling order: ${clientOrderId}`);
  let cancelled = dryRun;
  try {
    if (client !== undefined)
      cancelled = (await client.cancelOrder(args.symbol, clientOrderId)).status === "CANCELED";
    io.out(`  Order cancelled: ${cancelled}`);
  } catch (e) {
    // Not fatal: the order may have filled.
    io.out(`  Cancel failed (it may have filled): ${errorMessage(e)}`);
  }
  return {
    success: true,
    mode,
    orderPlaced: true,
    orderId: clientOrderId,
    ...(orderVisible !== undefined ? { orderVisible } : {}),
    orderCancelled: cancelled,
    details: [
      `symbol: ${args.symbol}`,
      `price: ${args.price.toString()}`,
      `quantity: ${args.quantity.toString()}`,
      `endpoint: ${endpoints.rest.url}`,
      `http_calls: ${client?.stats.httpCalls ?? 0}`,
    ],
  };
}
