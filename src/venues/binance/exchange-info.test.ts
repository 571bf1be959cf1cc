import assert from "node:assert/strict";
import { test } from "node:test";
import { parseExchangeInfo } from "./exchange-info.js";

// Shapes as Binance documents them: spot GET /api/v3/exchangeInfo (NOTIONAL and the older
// MIN_NOTIONAL with minNotional) and USD-M GET /fapi/v1/exchangeInfo (MIN_NOTIONAL with notional).
const SPOT = {
  timezone: "UTC",
  serverTime: 1767225600000,
  rateLimits: [],
  exchangeFilters: [],
  symbols: [
    {
      symbol: "BTCUSDT",
      status: "TRADING",
      baseAsset: "BTC",
      quoteAsset: "USDT",
      filters: [
        {
          filterType: "PRICE_FILTER",
          minPrice: "0.01000000",
          maxPrice: "1000000.00000000",
          tickSize: "0.01000000",
        },
        {
          filterType: "LOT_SIZE",
          minQty: "0.00001000",
          maxQty: "9000.00000000",
          stepSize: "0.00001000",
        },
        { filterType: "ICEBERG_PARTS", limit: 10 },
        {
          filterType: "NOTIONAL",
          minNotional: "5.00000000",
          applyMinToMarket: true,
          maxNotional: "9000000.00000000",
          applyMaxToMarket: false,
          avgPriceMins: 5,
        },
      ],
    },
    {
      symbol: "DOGEUSDT",
      status: "TRADING",
      filters: [
        {
          filterType: "PRICE_FILTER",
          minPrice: "0.00001000",
          maxPrice: "1000.00000000",
          tickSize: "0.00001000",
        },
        {
          filterType: "LOT_SIZE",
          minQty: "1.00000000",
          maxQty: "9000000.00000000",
          stepSize: "1.00000000",
        },
        {
          filterType: "MIN_NOTIONAL",
          minNotional: "1.00000000",
          applyToMarket: true,
          avgPriceMins: 5,
        },
      ],
    },
  ],
};

const USDM = {
  symbols: [
    {
      symbol: "ETHUSDT",
      pair: "ETHUSDT",
      contractType: "PERPETUAL",
      filters: [
        { filterType: "PRICE_FILTER", minPrice: "39.86", maxPrice: "306177", tickSize: "0.01" },
        { filterType: "LOT_SIZE", stepSize: "0.001", maxQty: "10000", minQty: "0.001" },
        { filterType: "MARKET_LOT_SIZE", stepSize: "0.001", maxQty: "2000", minQty: "0.001" },
        { filterType: "MIN_NOTIONAL", notional: "20" },
      ],
    },
  ],
};

test("spot: tick, step, minimum quantity and notional (NOTIONAL and MIN_NOTIONAL)", () => {
  const m = parseExchangeInfo(SPOT, "spot.json");
  const btc = m.get("BTCUSDT");
  assert.deepEqual(
    [
      btc?.tickSize.toString(),
      btc?.stepSize.toString(),
      btc?.minQty.toString(),
      btc?.minNotional.toString(),
    ],
    ["0.01000000", "0.00001000", "0.00001000", "5.00000000"],
  );
  assert.equal(m.get("DOGEUSDT")?.minNotional.toString(), "1.00000000");
  assert.equal(btc?.source, "exchangeInfo");
});

test("USD-M: MIN_NOTIONAL carries `notional`", () => {
  const eth = parseExchangeInfo(USDM, "um.json").get("ETHUSDT");
  assert.equal(eth?.minNotional.toString(), "20");
  assert.equal(eth?.tickSize.toString(), "0.01");
});

test("every problem is reported at once with its path", () => {
  const bad = {
    symbols: [
      {
        symbol: "A",
        filters: [
          { filterType: "PRICE_FILTER", tickSize: "x" },
          { filterType: "LOT_SIZE", stepSize: "-1", minQty: "1" },
        ],
      },
      { symbol: "B", filters: [] },
    ],
  };
  assert.throws(
    () => parseExchangeInfo(bad, "bad.json"),
    (e: Error) =>
      /bad\.json: 4 problem\(s\)/.test(e.message) &&
      e.message.includes(
        'symbols[0] (A).filters[0].tickSize: expected a non-negative decimal string, got "x"',
      ) &&
      e.message.includes("symbols[0] (A).filters[1].stepSize") &&
      e.message.includes("symbols[1] (B): no PRICE_FILTER") &&
      e.message.includes("symbols[1] (B): no LOT_SIZE"),
  );
  assert.throws(
    () => parseExchangeInfo({ nope: 1 }, "x.json"),
    /x\.json: not a Binance exchangeInfo response/,
  );
});
