import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../../core/errors.js";
import { isConnectorNonRetryableError } from "../../net/errors/connector-non-retryable-error.js";
import {
  assertNotMainnet,
  BINANCE_SPOT_TESTNET_REST_URL,
  BINANCE_USDM_TESTNET_WS_URL,
  resolveRestUrl,
  resolveWsUrl,
} from "./binance-urls.js";

const mainnet = (e: unknown) =>
  isConnectorNonRetryableError(e) && /Mainnet is forbidden/.test(e.message);

describe("binance URLs", () => {
  it("defaults to the testnets", () => {
    assert.equal(resolveRestUrl("spot"), BINANCE_SPOT_TESTNET_REST_URL);
    assert.equal(resolveRestUrl("usdm"), "https://testnet.binancefuture.com");
    assert.equal(resolveWsUrl("usdm"), BINANCE_USDM_TESTNET_WS_URL);
  });

  it("option beats env beats default; trailing slash dropped", () => {
    const env = {
      GRINDER_BINANCE_REST_URL: "http://127.0.0.1:9/",
      GRINDER_BINANCE_WS_URL: "ws://127.0.0.1:8/ws",
    };
    assert.equal(resolveRestUrl("spot", undefined, env), "http://127.0.0.1:9");
    assert.equal(resolveRestUrl("spot", "http://localhost:7", env), "http://localhost:7");
    assert.equal(resolveWsUrl("spot", undefined, env), "ws://127.0.0.1:8/ws");
  });

  it("refuses production hosts wherever the URL came from", () => {
    for (const u of [
      "https://api.binance.com",
      "https://API.Binance.com/",
      "https://api3.binance.com",
      "https://fapi.binance.com",
      "https://testnet.binance.vision@api.binance.com",
      "https://api.binance.us",
      "wss://stream.binance.com:9443/ws",
      "wss://fstream.binance.com/stream",
      "wss://data-stream.binance.vision/ws",
    ]) {
      assert.throws(() => assertNotMainnet(u), mainnet, u);
    }
    assert.throws(() => resolveRestUrl("spot", "https://api.binance.com"), mainnet);
    assert.throws(
      () =>
        resolveRestUrl("usdm", undefined, { GRINDER_BINANCE_REST_URL: "https://fapi.binance.com" }),
      mainnet,
    );
    assert.throws(
      () =>
        resolveWsUrl("spot", undefined, {
          GRINDER_BINANCE_WS_URL: "wss://stream.binance.com:9443/stream",
        }),
      mainnet,
    );
    // Market data from production only with an explicit opt-in.
    assert.equal(
      resolveWsUrl("spot", "wss://stream.binance.com:9443/stream", {}, true),
      "wss://stream.binance.com:9443/stream",
    );
  });

  it("a testnet path mentioning mainnet is fine; junk is a config error", () => {
    assertNotMainnet("https://testnet.binance.vision/api.binance.com");
    assert.throws(() => assertNotMainnet("not a url"), ConfigError);
    assert.throws(() => assertNotMainnet("ftp://testnet.binance.vision"), ConfigError);
  });
});
