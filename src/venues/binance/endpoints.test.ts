import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../../core/errors.js";
import { BINANCE_SPOT_TESTNET_REST_URL, BINANCE_SPOT_TESTNET_WS_URL } from "./binance-urls.js";
import { resolveBinanceEndpoints } from "./endpoints.js";

const refused = (re: RegExp) => (e: unknown) => e instanceof ConfigError && re.test(e.message);

describe("resolveBinanceEndpoints", () => {
  it("flag beats env beats the testnet default, and says where each came from", () => {
    assert.deepEqual(resolveBinanceEndpoints("spot", {}, {}), {
      rest: { url: BINANCE_SPOT_TESTNET_REST_URL, source: "default" },
      ws: { url: BINANCE_SPOT_TESTNET_WS_URL, source: "default" },
    });
    const env = {
      GRINDER_BINANCE_REST_URL: "http://127.0.0.1:9/",
      GRINDER_BINANCE_WS_URL: "ws://127.0.0.1:8/stream",
    };
    assert.deepEqual(resolveBinanceEndpoints("spot", {}, env), {
      rest: { url: "http://127.0.0.1:9", source: "env" },
      ws: { url: "ws://127.0.0.1:8/stream", source: "env" },
    });
    assert.deepEqual(
      resolveBinanceEndpoints(
        "spot",
        { restUrl: "http://localhost:7", wsUrl: "ws://localhost:6/stream" },
        env,
      ),
      {
        rest: { url: "http://localhost:7", source: "flag" },
        ws: { url: "ws://localhost:6/stream", source: "flag" },
      },
    );
    assert.equal(
      resolveBinanceEndpoints("usdm", {}, {}).rest.url,
      "https://testnet.binancefuture.com",
    );
  });

  it("the mainnet guard applies to the resolved URL and names its origin", () => {
    assert.throws(
      () => resolveBinanceEndpoints("spot", { restUrl: "https://api.binance.com" }, {}),
      refused(/^--rest-url: Mainnet is forbidden: REST base URL host api\.binance\.com/),
    );
    assert.throws(
      () =>
        resolveBinanceEndpoints("spot", {}, { GRINDER_BINANCE_WS_URL: "wss://stream.binance.com" }),
      refused(/^GRINDER_BINANCE_WS_URL="wss:\/\/stream\.binance\.com": Mainnet is forbidden/),
    );
    // A testnet flag wins over a production URL in the environment.
    const r = resolveBinanceEndpoints(
      "spot",
      { restUrl: "http://127.0.0.1:1" },
      { GRINDER_BINANCE_REST_URL: "https://api.binance.com" },
    );
    assert.equal(r.rest.url, "http://127.0.0.1:1");
  });

  it("refuses empty values, malformed URLs and the wrong scheme", () => {
    assert.throws(
      () => resolveBinanceEndpoints("spot", { restUrl: " " }, {}),
      refused(/^--rest-url: empty value$/),
    );
    assert.throws(
      () => resolveBinanceEndpoints("spot", { restUrl: "not a url" }, {}),
      refused(/^--rest-url: REST base URL: not a valid URL/),
    );
    assert.throws(
      () => resolveBinanceEndpoints("spot", { restUrl: "ws://127.0.0.1:1" }, {}),
      refused(/^--rest-url: expected a http: or https: URL/),
    );
    assert.throws(
      () => resolveBinanceEndpoints("spot", { wsUrl: "http://127.0.0.1:1" }, {}),
      refused(/^--ws-url: expected a ws: or wss: URL/),
    );
  });
});
