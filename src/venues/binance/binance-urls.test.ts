import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ConfigError } from "../../core/errors.js";
import { isConnectorNonRetryableError } from "../../net/errors/connector-non-retryable-error.js";
import {
  allowedExtraHosts,
  assertAllowedEndpoint,
  BINANCE_SPOT_TESTNET_REST_URL,
  BINANCE_USDM_TESTNET_WS_URL,
  resolveRestUrl,
  resolveWsUrl,
  withAllowedHosts,
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
      assert.throws(() => assertAllowedEndpoint(u), mainnet, u);
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
    assertAllowedEndpoint("https://testnet.binance.vision/api.binance.com");
    assert.throws(() => assertAllowedEndpoint("not a url"), ConfigError);
    assert.throws(() => assertAllowedEndpoint("ftp://testnet.binance.vision"), ConfigError);
  });

  it("is an allowlist: testnet and demo hosts, loopback in every form, named hosts; nothing else", () => {
    for (const u of [
      "https://testnet.binance.vision",
      "https://testnet.binance.vision.", // a fully qualified name
      "https://testnet.binancefuture.com/fapi/v1/order",
      "https://demo-api.binance.com",
      "https://demo-fapi.binance.com",
      "wss://ws-api.testnet.binance.vision/ws-api/v3",
      "http://127.0.0.1:8080",
      "http://127.9.9.9",
      "http://2130706433", // 127.0.0.1 as one number
      "http://0x7f.1", // and in hex parts
      "http://[::1]:9",
      "http://localhost:9",
    ]) {
      assertAllowedEndpoint(u);
    }
    const refused = /is not allowed|Mainnet is forbidden|is an IP address/;
    for (const u of [
      "https://api.binance.com..", // two trailing dots: production all the same
      "https://api.binance.com.", // fully qualified production host
      "http://3232235777", // 192.168.1.1 as one number
      "http://0xc0.0xa8.1.1",
      "http://[::ffff:c0a8:101]",
      "http://[2001:db8::1]",
      "https://example.com",
      "https://testnet.binance.vision.evil.example",
      "https://evil-testnet.binance.vision",
    ]) {
      assert.throws(() => assertAllowedEndpoint(u), refused, u);
    }
    // Hosts named by the operator are allowed, production ones never.
    const env = { GRINDER_ALLOW_HOSTS: "gateway.internal, Exchange.Example." };
    assertAllowedEndpoint("https://gateway.internal/api", "URL", "trading", env);
    assertAllowedEndpoint("https://exchange.example:8443", "URL", "trading", env);
    assert.throws(
      () => assertAllowedEndpoint("https://api.binance.com", "URL", "trading", env),
      mainnet,
    );
    // Public market data may come from production streams, and only that.
    assertAllowedEndpoint("wss://stream.binance.com:9443/stream", "URL", "market-data");
    assert.throws(() => assertAllowedEndpoint("wss://stream.binance.com/ws"), mainnet);
  });

  it("refuses IP literals in every form unless loopback, named or not", () => {
    const env = { GRINDER_ALLOW_HOSTS: "gateway.internal" };
    // 192.168.0.1 and 10.1.2.3 written every way the URL parser accepts.
    for (const u of [
      "http://192.168.0.1",
      "http://192.168.0.1.", // trailing dot
      "http://3232235521", // one decimal number
      "http://0xC0A80001", // one hex number
      "http://0300.0250.0.01", // octal parts
      "http://0xc0.0xa8.0.1", // hex parts
      "http://192.168.1", // three parts (192.168.0.1)
      "http://10.66051", // two parts (10.1.2.3)
      "http://[2001:db8::1]",
      "http://[::ffff:192.168.0.1]", // IPv4-mapped IPv6
      "http://[fe80::1]",
      "http://[::]",
      "http://0.0.0.0",
    ]) {
      assert.throws(
        () => assertAllowedEndpoint(u, "REST base URL", "trading", env),
        /is an IP address/,
        u,
      );
    }
    // Loopback passes in every form.
    for (const u of [
      "http://127.0.0.1",
      "http://127.0.0.1.",
      "http://2130706433",
      "http://0x7f000001",
      "http://0177.0.0.01",
      "http://127.1",
      "http://[::1]",
      "http://[0:0:0:0:0:0:0:1]",
    ]) {
      assertAllowedEndpoint(u);
    }
  });

  it("refuses names with empty labels; production with any number of trailing dots is mainnet", () => {
    for (const u of [
      "https://api.binance.com..",
      "https://api.binance.com...",
      "https://API.binance.COM.",
    ])
      assert.throws(() => assertAllowedEndpoint(u), mainnet, u);
    const env = { GRINDER_ALLOW_HOSTS: "gateway.internal" };
    for (const u of ["https://gateway.internal..", "https://testnet.binance.vision.."])
      assert.throws(() => assertAllowedEndpoint(u, "URL", "trading", env), /empty label/, u);
  });

  it("--allow-host and GRINDER_ALLOW_HOSTS take host names only, never production", () => {
    const env = withAllowedHosts({ GRINDER_ALLOW_HOSTS: "a.internal" }, ["b.internal"]);
    assert.equal(env.GRINDER_ALLOW_HOSTS, "a.internal,b.internal");
    assertAllowedEndpoint("https://b.internal", "URL", "trading", env);
    assertAllowedEndpoint("https://a.internal", "URL", "trading", env);
    assert.deepEqual(withAllowedHosts({}, []), {});
    const bad: [string, RegExp][] = [
      ["10.0.0.5", /--allow-host: "10.0.0.5" is an IP address/],
      ["167772165", /is an IP address/], // 10.0.0.5 as one number
      ["0x0a000005", /is an IP address/],
      ["[2001:db8::1]", /is an IP address/],
      ["api.binance.com", /Binance production host/],
      ["api.binance.com..", /Binance production host/],
      ["fapi.binance.com.", /Binance production host/],
      ["https://x.internal", /not a bare host name/],
      ["x.internal:8443", /not a bare host name/],
      ["x.internal/path", /not a bare host name/],
      ["user@x.internal", /not a bare host name/],
      ["", /not a/],
      ["a..b", /empty label/],
    ];
    for (const [h, re] of bad) assert.throws(() => withAllowedHosts({}, [h]), re, h);
    assert.throws(
      () => allowedExtraHosts({ GRINDER_ALLOW_HOSTS: "ok.internal, 10.0.0.5" }),
      /GRINDER_ALLOW_HOSTS: "10.0.0.5" is an IP address/,
    );
  });
});
