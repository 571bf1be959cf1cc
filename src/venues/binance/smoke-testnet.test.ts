import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  activeHandles,
  assertNoLeakedHandles,
  type HandleCounts,
} from "../../../test/support/handles.js";
import { LocalBinanceExchange } from "../../../test/support/local-binance-exchange.js";
import type { HttpClient } from "../../net/http-client.js";
import { runSmokeTestnet, type SmokeIo } from "./smoke-testnet.js";

const PLANTED_KEY = "PLANTEDKEY-7f3c9a1e5b2d4c6e8a0b";
const PLANTED_SECRET = "PLANTEDSECRET-0a9b8c7d6e5f4a3b2c1d"; // secret-guard: allow (planted fake)

/** Everything any run printed, checked for the planted credentials at the end. */
const allOutput: string[] = [];

function capture(extra: Partial<SmokeIo> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: SmokeIo = {
    out: (l) => {
      out.push(l);
      allOutput.push(l);
    },
    err: (l) => {
      err.push(l);
      allOutput.push(l);
    },
    sleep: async () => {},
    ...extra,
  };
  return { io, out, err, text: () => [...out, ...err].join("\n") };
}

const noHttp: HttpClient = {
  request: async () => {
    throw new Error("dry-run must not make HTTP calls");
  },
};

const liveEnv = (url: string, over: Record<string, string | undefined> = {}) => ({
  BINANCE_API_KEY: PLANTED_KEY,
  BINANCE_API_SECRET: PLANTED_SECRET,
  ARMED: "1",
  ALLOW_TESTNET_TRADE: "1",
  GRINDER_BINANCE_REST_URL: url,
  ...over,
});

let baseline: HandleCounts;
let ex: LocalBinanceExchange;
before(async () => {
  baseline = activeHandles();
  ex = await LocalBinanceExchange.start({ apiKey: PLANTED_KEY, apiSecret: PLANTED_SECRET });
});
after(async () => {
  await ex.close();
  await assertNoLeakedHandles(baseline, 2000);
});

describe("grinder smoke-testnet", () => {
  it("is a dry-run by default: PASS, zero HTTP calls", async () => {
    const c = capture({ httpClient: noHttp });
    const code = await runSmokeTestnet([], liveEnv(ex.url), c.io);
    assert.equal(code, 0);
    const t = c.text();
    assert.match(t, /DRY-RUN MODE \(no real orders, no HTTP calls\)/);
    assert.match(t, /SMOKE TEST RESULT: PASS/);
    assert.match(t, /Order placed: true/);
    assert.match(t, /Order ID: grinder-e0-[0-9a-f]{16}/);
    assert.match(t, /http_calls: 0/);
    assert.equal(ex.requests.length, 0);
  });

  it("a real run needs keys, ARMED=1 and ALLOW_TESTNET_TRADE=1 (exit 1 with the reason)", async () => {
    const cases: [Record<string, string | undefined>, string][] = [
      [{ BINANCE_API_KEY: undefined }, "BINANCE_API_KEY not set"],
      [{ BINANCE_API_SECRET: "" }, "BINANCE_API_SECRET not set"],
      [{ ARMED: undefined }, "ARMED=1 not set"],
      [{ ARMED: "0" }, "ARMED=1 not set"],
      [{ ALLOW_TESTNET_TRADE: undefined }, "ALLOW_TESTNET_TRADE=1 not set"],
    ];
    for (const [over, reason] of cases) {
      const c = capture({ httpClient: noHttp });
      assert.equal(
        await runSmokeTestnet(["--confirm", "TESTNET"], liveEnv(ex.url, over), c.io),
        1,
        reason,
      );
      assert.match(c.err.join("\n"), new RegExp(`Environment guard failed: ${reason}`));
      assert.match(c.err.join("\n"), /SMOKE TEST RESULT: FAIL/);
    }
    assert.equal(ex.requests.length, 0);
  });

  it("real run against the local exchange: place, see it open, cancel", async () => {
    const c = capture();
    const code = await runSmokeTestnet(
      ["--confirm", "TESTNET", "--symbol", "ETHUSDT", "--price=100.50"],
      liveEnv(ex.url),
      c.io,
    );
    assert.equal(code, 0, c.text());
    const t = c.text();
    assert.match(t, /LIVE TESTNET MODE/);
    assert.match(t, /Order seen in open orders: true/);
    assert.match(t, /Order cancelled: true/);
    const o = ex.orders.at(-1);
    assert.equal(o?.symbol, "ETHUSDT");
    assert.equal(o?.price, "100.50");
    assert.equal(o?.origQty, "0.001");
    assert.equal(o?.status, "CANCELED");
  });

  it("USD-M futures testnet flow", async () => {
    const c = capture();
    const before = ex.requests.length;
    assert.equal(
      await runSmokeTestnet(["--confirm", "TESTNET", "--market", "usdm"], liveEnv(ex.url), c.io),
      0,
    );
    assert.ok(ex.requests.slice(before).every((r) => r.path.startsWith("/fapi/v1/")));
  });

  it("exchange rejections fail the run with Binance's message", async () => {
    const c = capture();
    const code = await runSmokeTestnet(
      ["--confirm", "TESTNET"],
      liveEnv(ex.url, { BINANCE_API_SECRET: "wrong-secret" }),
      c.io,
    );
    assert.equal(code, 1);
    assert.match(
      c.err.join("\n"),
      /Place order failed: Binance rejected place: Binance error -1022: Signature for this request is not valid/,
    );
  });

  it("production endpoints are refused wherever they come from (exit 2, no HTTP call)", async () => {
    const before = ex.requests.length;
    const flag = capture({ httpClient: noHttp });
    assert.equal(
      await runSmokeTestnet(
        ["--confirm", "TESTNET", "--rest-url", "https://api.binance.com"],
        liveEnv(ex.url),
        flag.io,
      ),
      2,
    );
    assert.match(
      flag.err.join("\n"),
      /^grinder smoke-testnet: error: --rest-url: Mainnet is forbidden: REST base URL host api\.binance\.com is a Binance production endpoint/,
    );
    const env = capture({ httpClient: noHttp });
    assert.equal(
      await runSmokeTestnet(["--confirm", "TESTNET"], liveEnv("https://api.binance.com"), env.io),
      2,
    );
    assert.match(
      env.err.join("\n"),
      /error: GRINDER_BINANCE_REST_URL="https:\/\/api\.binance\.com": Mainnet is forbidden/,
    );
    const dry = capture({ httpClient: noHttp });
    assert.equal(await runSmokeTestnet(["--rest-url=https://fapi.binance.com"], {}, dry.io), 2);
    const ws = capture({ httpClient: noHttp });
    assert.equal(
      await runSmokeTestnet(["--ws-url", "wss://stream.binance.com:9443/ws"], {}, ws.io),
      2,
    );
    assert.match(ws.err.join("\n"), /--ws-url: Mainnet is forbidden/);
    assert.equal(ex.requests.length, before);
  });

  it("--allow-host names a further host; IP addresses and production are refused (exit 2)", async () => {
    const refused = capture({ httpClient: noHttp });
    assert.equal(
      await runSmokeTestnet(["--rest-url", "https://gateway.internal"], {}, refused.io),
      2,
    );
    assert.match(refused.err.join("\n"), /host gateway\.internal is not allowed/);
    const allowed = capture({ httpClient: noHttp });
    const code = await runSmokeTestnet(
      [
        "--rest-url",
        "https://gateway.internal",
        "--ws-url",
        "wss://stream.internal/ws",
        "--allow-host",
        "gateway.internal",
        "--allow-host=stream.internal",
      ],
      {},
      allowed.io,
    );
    assert.equal(code, 0, allowed.text());
    assert.match(allowed.text(), /Endpoint: https:\/\/gateway\.internal \(not contacted\)/);
    for (const [host, re] of [
      ["10.0.0.5", /--allow-host: "10\.0\.0\.5" is an IP address/],
      ["0x0a000005", /--allow-host: "0x0a000005" is an IP address/],
      ["api.binance.com", /--allow-host: "api\.binance\.com" is a Binance production host/],
    ] as const) {
      const c = capture({ httpClient: noHttp });
      assert.equal(await runSmokeTestnet(["--allow-host", host], {}, c.io), 2, host);
      assert.match(c.err.join("\n"), re);
    }
    const ip = capture({ httpClient: noHttp });
    assert.equal(await runSmokeTestnet(["--rest-url", "http://0xC0A80001:8080"], {}, ip.io), 2);
    assert.match(ip.err.join("\n"), /host 192\.168\.0\.1 is an IP address/);
  });

  it("--rest-url points the run at another endpoint and beats the environment", async () => {
    const c = capture();
    const before = ex.requests.length;
    const code = await runSmokeTestnet(
      ["--confirm", "TESTNET", "--rest-url", ex.url, "--ws-url", "ws://127.0.0.1:1/stream"],
      liveEnv("http://127.0.0.1:1"),
      c.io,
    );
    assert.equal(code, 0, c.text());
    assert.match(c.text(), new RegExp(`Endpoint: ${ex.url}\n`));
    assert.match(
      c.text(),
      /WebSocket endpoint: ws:\/\/127\.0\.0\.1:1\/stream \(checked, not used by the smoke test\)/,
    );
    assert.ok(ex.calls("/api/v3/order", "POST").length > 0);
    assert.ok(ex.requests.length > before);
  });

  it("kill switch: nothing is placed", async () => {
    const c = capture({ httpClient: noHttp });
    const before = ex.orders.length;
    assert.equal(
      await runSmokeTestnet(["--kill-switch", "--confirm", "TESTNET"], liveEnv(ex.url), c.io),
      0,
    );
    assert.match(c.text(), /Kill-switch is ACTIVE - PLACE blocked, CANCEL allowed/);
    assert.match(c.text(), /Order placed: false/);
    assert.equal(ex.orders.length, before);
  });

  it("bad arguments exit 2 with usage", async () => {
    for (const argv of [
      ["--confirm", "MAINNET"],
      ["--bogus"],
      ["--price", "abc"],
      ["--confirm"],
      ["--market", "coinm"],
    ]) {
      const c = capture({ httpClient: noHttp });
      assert.equal(await runSmokeTestnet(argv, {}, c.io), 2, argv.join(" "));
      assert.match(c.err.join("\n"), /usage: grinder smoke-testnet/);
    }
    const h = capture();
    assert.equal(await runSmokeTestnet(["--help"], {}, h.io), 0);
    assert.match(h.out.join("\n"), /--confirm TESTNET/);
  });

  it("never prints the API key or secret", () => {
    const all = allOutput.join("\n");
    assert.ok(all.length > 1000, "runs produced output");
    assert.ok(!all.includes(PLANTED_KEY), "API key leaked");
    assert.ok(!all.includes(PLANTED_SECRET), "API secret leaked");
    assert.ok(!all.includes("PLANTED"), "part of a credential leaked");
  });
});
