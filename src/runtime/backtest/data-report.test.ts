import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { browserTests } from "../../../test/support/chromium.js";
import { BIN, REPO_ROOT, runCli, tempDir } from "../../../test/support/run-cli.js";
import { SeededRandom } from "../../core/prng.js";

const DAY = 86_400_000;
const MIN = 60_000;
const T0 = Date.UTC(2026, 0, 1);

interface Kline {
  readonly t: number;
  readonly o: number;
  readonly h: number;
  readonly l: number;
  readonly c: number;
}

/** Spot 1m klines of BTCUSDT for 2026-01-01 and 2026-01-03 (2026-01-02 missing). */
function writeKlines(dir: string): Kline[] {
  const folder = join(dir, "spot", "daily", "klines", "BTCUSDT", "1m");
  mkdirSync(folder, { recursive: true });
  const random = new SeededRandom(2026);
  const r = (): number => random.next();
  const all: Kline[] = [];
  let p = 93_000;
  for (const day of [0, 2]) {
    const rows: string[] = [];
    for (let m = 0; m < 1440; m++) {
      const t = T0 + day * DAY + m * MIN;
      const o = p;
      const c = Math.round(o * (1 + (r() - 0.5) * 0.003) * 100) / 100;
      const h = Math.round(Math.max(o, c) * (1 + r() * 0.0005) * 100) / 100;
      const l = Math.round(Math.min(o, c) * (1 - r() * 0.0005) * 100) / 100;
      all.push({ t, o, h, l, c });
      rows.push(
        [t, o.toFixed(2), h.toFixed(2), l.toFixed(2), c.toFixed(2), "1.5", t + MIN - 1]
          .concat(["140000.0", "100", "0.7", "65000.0", "0"])
          .join(","),
      );
      p = c;
    }
    const date = new Date(T0 + day * DAY).toISOString().slice(0, 10);
    writeFileSync(join(folder, `BTCUSDT-1m-${date}.csv`), `${rows.join("\n")}\n`);
  }
  return all;
}

/** Half-even rounding of a decimal string to 2 places (the cents the panel shows). */
function cents(text: string): string {
  const neg = text.startsWith("-");
  const [int = "0", frac = ""] = (neg ? text.slice(1) : text).split(".");
  const digits = BigInt(int + frac.padEnd(3, "0").slice(0, 3));
  const restNonZero = /[1-9]/.test(frac.slice(3));
  let q = digits / 10n;
  const last = digits % 10n;
  if (last > 5n || (last === 5n && (restNonZero || q % 2n === 1n))) q += 1n;
  const s = q.toString().padStart(3, "0");
  const body = `${s.slice(0, -2)}.${s.slice(-2)}`;
  return neg && q !== 0n ? `-${body}` : body;
}

/** How the report shows a summary value, by the rules of docs/SIMULATION.md. */
function shown(key: string, v: unknown): string {
  if (v === null) return "n/a";
  if (
    ["net_pnl", "gross_pnl", "fees", "funding", "turnover", "max_position_notional"].includes(key)
  ) {
    const c = cents(v as string);
    assert.ok(c !== "0.00" || Number(v) === 0, `${key}: sub-cent amounts are shown otherwise`);
    return `${c} USDT`;
  }
  if (key.endsWith("_pct")) return `${(v as number).toFixed(2)} %`;
  if (key === "win_rate" || key === "maker_share") return `${((v as number) * 100).toFixed(2)} %`;
  if (["sharpe", "sortino", "calmar"].includes(key)) return (v as number).toFixed(2);
  if (key === "max_drawdown_duration_s") {
    const s = Math.round(v as number);
    const d = Math.floor(s / 86_400);
    const h = Math.floor((s % 86_400) / 3600);
    const m = Math.floor((s % 3600) / 60);
    if (s < 60) return `${s} s`;
    return `${s} s (${d > 0 ? `${d}d ${h}h ${m}m` : h > 0 ? `${h}h ${m}m` : `${m}m ${s % 60}s`})`;
  }
  return String(v);
}

interface Embedded {
  portfolio: { t: number[]; equity: (number | null)[]; dd: (number | null)[] };
  symbols: {
    line: { t: number[]; mid: (number | null)[] };
    candles: { ms: number; t: number[]; o: number[]; h: number[]; l: number[]; c: number[] };
  }[];
}

const chromium = browserTests();

describe("grinder backtest --data --kind klines --report (real binary)", () => {
  const dir = tempDir();
  const data = join(dir, "data");
  const klines = writeKlines(data);
  const config = join(dir, "config.json");
  writeFileSync(config, JSON.stringify({ spacing_bps: 5, levels: 3 }));
  // Binance's spot filters for BTCUSDT (kline data has no quantities to derive a step from).
  const exchangeInfo = join(dir, "exchange-info.json");
  writeFileSync(
    exchangeInfo,
    JSON.stringify({
      symbols: [
        {
          symbol: "BTCUSDT",
          status: "TRADING",
          filters: [
            { filterType: "PRICE_FILTER", minPrice: "0.01", maxPrice: "1000000", tickSize: "0.01" },
            { filterType: "LOT_SIZE", minQty: "0.00001", maxQty: "9000", stepSize: "0.00001" },
            { filterType: "NOTIONAL", minNotional: "5.00000000" },
          ],
        },
      ],
    }),
  );
  const out = join(dir, "out");
  const r = runCli([
    "backtest",
    ...["--data", data, "--symbols", "BTCUSDT", "--from", "2026-01-01", "--to", "2026-01-03"],
    ...["--kind", "klines", "--config", config, "--exchange-info", exchangeInfo],
    ...["--report", join(out, "r.html"), "--out", join(out, "s.json")],
  ]);
  const html = (): string => readFileSync(join(out, "r.html"), "utf8");
  const summary = (): Record<string, unknown> =>
    (JSON.parse(readFileSync(join(out, "s.json"), "utf8")) as { summary: Record<string, unknown> })
      .summary;
  const embedded = (): Embedded => {
    const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html());
    assert.ok(m !== null);
    return JSON.parse(m[1] as string) as Embedded;
  };

  it("runs and trades", () => {
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /Backtest completed: 11520 events, 1 symbol\(s\), \d+ fills, 1 missing day/,
    );
    assert.ok((summary().fills as number) > 0);
  });

  it("draws the klines as candles: 2 880 minutes over the 2 000 kept become 5-minute candles", () => {
    const c = embedded().symbols[0]?.candles;
    assert.ok(c !== undefined && c !== null);
    assert.equal(c.ms, 5 * MIN);
    assert.equal(c.t.length, 2 * 288);
    // The first 5-minute candle from the first five klines, by hand.
    const first = klines.slice(0, 5);
    assert.deepEqual(
      [c.t[0], c.o[0], c.h[0], c.l[0], c.c[0]],
      [
        T0,
        first[0]?.o,
        Math.max(...first.map((k) => k.h)),
        Math.min(...first.map((k) => k.l)),
        first[4]?.c,
      ],
    );
    // The missing day has no candle.
    assert.ok(c.t.every((t) => t < T0 + DAY || t >= T0 + 2 * DAY));
    assert.match(html(), /5-minute candles/);
  });

  it("breaks the lines once, across the missing day, and draws the summary's drawdown", () => {
    const e = embedded();
    assert.equal(e.portfolio.equity.filter((x) => x === null).length, 1);
    const gap = e.portfolio.t[e.portfolio.equity.indexOf(null)] as number;
    assert.ok(gap > T0 + DAY && gap < T0 + 2 * DAY, "in the missing day");
    assert.equal(e.symbols[0]?.line.mid.filter((x) => x === null).length, 1);
    const maxDd = Math.max(...e.portfolio.dd.filter((x): x is number => x !== null));
    assert.ok(Math.abs(maxDd - (summary().max_drawdown_pct as number)) < 1e-9, `${maxDd}`);
  });

  it("in Chromium: every chart drawn, the candles on the canvas, the panel equal to the JSON", {
    skip: chromium.skip,
  }, () => {
    const page = join(out, "r.html");
    const dom = chromium.browser().dom(page, "900,2600");
    assert.match(dom, /<body[^>]*data-charts-rendered="4"/);
    assert.doesNotMatch(dom, /\sdata-chart-error="/);
    const price = /data-chart="price"[^>]*data-ink="([^"]*)"/.exec(dom);
    const ink = JSON.parse((price?.[1] ?? "{}").replace(/&quot;/g, '"')) as Record<string, number>;
    assert.ok((ink.up ?? 0) > 500 && (ink.down ?? 0) > 500, JSON.stringify(ink));
    const s = summary();
    const panel = new Map(
      [...dom.matchAll(/data-key="(\w+)"><dt>[^<]*<\/dt><dd>([^<]*)<\/dd>/g)].map((m) => [
        m[1] as string,
        (m[2] as string).replace(/&amp;/g, "&"),
      ]),
    );
    assert.equal(panel.size, 21);
    for (const [key, value] of panel) assert.equal(value, shown(key, s[key]), key);
  });
});

describe("grinder backtest --data: interrupted by SIGINT", () => {
  it("stops within the trading pass, exits 130 and leaves no file behind", async () => {
    const dir = tempDir();
    const folder = join(dir, "futures", "um", "daily", "bookTicker", "BTCUSDT");
    mkdirSync(folder, { recursive: true });
    // 400 000 quotes, 200 ms apart: a run that takes seconds.
    const random = new SeededRandom(7);
    const r = (): number => random.next();
    const rows = [
      "update_id,best_bid_price,best_bid_qty,best_ask_price,best_ask_qty,transaction_time,event_time",
    ];
    let bid = 93_000;
    for (let i = 0; i < 400_000; i++) {
      bid = Math.round((bid + (r() - 0.5) * 8) * 10) / 10;
      const ts = T0 + i * 200;
      rows.push(`${i + 1},${bid.toFixed(1)},1.5,${(bid + 0.1).toFixed(1)},2.5,${ts},${ts + 5}`);
    }
    writeFileSync(join(folder, "BTCUSDT-bookTicker-2026-01-01.csv"), `${rows.join("\n")}\n`);
    const out = join(dir, "out");
    const child = spawn(
      process.execPath,
      [
        BIN,
        "backtest",
        ...["--data", dir, "--symbols", "BTCUSDT", "--from", "2026-01-01", "--to", "2026-01-01"],
        ...["--fills", join(out, "f.csv"), "--equity", join(out, "e.csv")],
        ...["--outputs", join(out, "o.jsonl"), "--report", join(out, "r.html")],
        ...["--out", join(out, "s.json")],
      ],
      { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
    });
    const exited = new Promise<number | null>((resolve) =>
      child.on("exit", (code) => resolve(code)),
    );
    // Trading has started once the temp files exist (they are made by the first lines).
    const started = Date.now();
    const temps = (): string[] => {
      try {
        return readdirSync(out).filter((f) => f.includes(".tmp-"));
      } catch {
        return [];
      }
    };
    while (temps().length < 2) {
      assert.ok(Date.now() - started < 60_000, `trading never started: ${stderr}`);
      await new Promise((res) => setTimeout(res, 20));
    }
    child.kill("SIGINT");
    const code = await exited;
    assert.equal(code, 130, `stdout: ${stdout}\nstderr: ${stderr}`);
    assert.match(stderr, /stopped by SIGINT; no output file written/);
    assert.doesNotMatch(stdout, /Backtest completed/);
    assert.deepEqual(readdirSync(out), []);
  });
});
