import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { canonicalJson } from "../../core/canonical-json.js";
import { Decimal } from "../../core/decimal.js";
import { ConfigError } from "../../core/errors.js";
import { Snapshot } from "../../domain/snapshot.js";
import { alignBarTs } from "./bar-builder.js";
import {
  FeatureEngine,
  type FeatureEngineConfig,
  makeFeatureEngineConfig,
} from "./feature-engine.js";
import { FeatureSnapshot } from "./feature-snapshot.js";
import { type MidBar, makeMidBar } from "./mid-bar.js";
import { RingBuffer } from "./ring-buffer.js";

const d = (s: string): Decimal => Decimal.parse(s);

function snap(
  ts: number,
  symbol: string,
  bid: string,
  ask: string,
  bidQty = "1",
  askQty = "1",
): Snapshot {
  return new Snapshot({
    ts,
    symbol,
    bidPrice: d(bid),
    askPrice: d(ask),
    bidQty: d(bidQty),
    askQty: d(askQty),
    lastPrice: d(bid),
    lastQty: d("1"),
  });
}

/** Deterministic PRNG for generated walks (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The reference's algorithm spelled out plainly: every kept bar in a list,
 * every indicator recomputed over the whole list on every event.
 */
class NaiveFeatureEngine {
  private readonly bars = new Map<string, MidBar[]>();
  private readonly open = new Map<
    string,
    { barTs: number; o: Decimal; h: Decimal; l: Decimal; c: Decimal; n: number }
  >();
  constructor(private readonly cfg: FeatureEngineConfig) {}

  process(s: Snapshot): Record<string, unknown> {
    const mid = s.midPrice;
    const bts = alignBarTs(s.ts, this.cfg.barIntervalMs);
    let list = this.bars.get(s.symbol);
    if (!list) {
      list = [];
      this.bars.set(s.symbol, list);
    }
    const cur = this.open.get(s.symbol);
    if (!cur) {
      this.open.set(s.symbol, { barTs: bts, o: mid, h: mid, l: mid, c: mid, n: 1 });
    } else if (bts > cur.barTs) {
      list.push(
        makeMidBar({
          barTs: cur.barTs,
          open: cur.o,
          high: cur.h,
          low: cur.l,
          close: cur.c,
          tickCount: cur.n,
        }),
      );
      if (list.length > this.cfg.maxBars) list.shift();
      this.open.set(s.symbol, { barTs: bts, o: mid, h: mid, l: mid, c: mid, n: 1 });
    } else {
      if (mid.gt(cur.h)) cur.h = mid;
      if (mid.lt(cur.l)) cur.l = mid;
      cur.c = mid;
      cur.n++;
    }
    const p = this.cfg.atrPeriod;
    let atr: Decimal | null = null;
    let natr = 0;
    if (list.length >= p + 1) {
      const trs: Decimal[] = [];
      for (let i = 1; i < list.length; i++) {
        const b = list[i] as MidBar;
        const pc = (list[i - 1] as MidBar).close;
        const cands = [b.high.sub(b.low), b.high.sub(pc).abs(), b.low.sub(pc).abs()];
        trs.push(cands.reduce((m, x) => (x.gt(m) ? x : m)));
      }
      atr = trs
        .slice(-p)
        .reduce((a, x) => a.add(x), Decimal.ZERO)
        .div(Decimal.fromInt(p));
      const close = (list[list.length - 1] as MidBar).close;
      if (!close.isZero()) {
        natr = Number(
          atr.div(close).mul(Decimal.fromInt(10000)).quantize(0, "ROUND_HALF_EVEN").toIntTrunc(),
        );
      }
    }
    const h = this.cfg.rangeHorizon;
    let rt = [0, 0, 0];
    if (list.length >= h + 1) {
      const w = list.slice(-(h + 1));
      let sum = d("0");
      for (let i = 1; i < w.length; i++) {
        const pc = (w[i - 1] as MidBar).close;
        if (pc.isPositive()) sum = sum.add((w[i] as MidBar).close.sub(pc).div(pc).abs());
      }
      const sc = (w[0] as MidBar).close;
      const net = sc.isPositive()
        ? (w[w.length - 1] as MidBar).close.div(sc).sub(d("1")).abs()
        : d("0");
      const bps = (x: Decimal) =>
        Number(x.mul(d("10000")).quantize(0, "ROUND_HALF_EVEN").toIntTrunc());
      rt = [bps(sum), bps(net), Math.floor(bps(sum) / (bps(net) + 1))];
    }
    const eps = d("1e-8");
    const imb = s.bidQty.sub(s.askQty).div(s.bidQty.add(s.askQty).add(eps));
    return {
      ts: s.ts,
      symbol: s.symbol,
      mid_price: mid.toString(),
      spread_bps: Math.trunc(s.spreadBps) || 0,
      imbalance_l1_bps: Number(imb.mul(d("10000")).quantize(0, "ROUND_HALF_EVEN").toIntTrunc()),
      thin_l1: (s.askQty.lt(s.bidQty) ? s.askQty : s.bidQty).toString(),
      natr_bps: natr,
      atr: atr === null ? null : atr.toString(),
      sum_abs_returns_bps: rt[0],
      net_return_bps: rt[1],
      range_score: rt[2],
      warmup_bars: list.length,
    };
  }
}

function randomWalk(seed: number, n: number, symbols: number, stepMs: number): Snapshot[] {
  const r = rng(seed);
  const px = Array.from({ length: symbols }, (_, i) => [0.7, 150, 2500, 50000][i % 4] as number);
  const out: Snapshot[] = [];
  let ts = 1_700_000_000_000;
  for (let i = 0; i < n; i++) {
    const k = Math.floor(r() * symbols);
    const u = r();
    if (u < 0.02) ts += 300_000 + Math.floor(r() * 600_000);
    else if (u < 0.04) ts -= Math.floor(r() * 2 * stepMs);
    else ts += Math.floor(r() * stepMs);
    px[k] = (px[k] as number) * (1 + (r() - 0.5) * 0.01);
    const dp = k % 4 === 0 ? 4 : 2;
    const mid = px[k] as number;
    const half = Math.max(10 ** -dp, mid * [0.00002, 0.0003, 0.004][Math.floor(r() * 3)]!);
    const bid = (mid - half).toFixed(dp);
    const ask = r() < 0.02 ? bid : (mid + half).toFixed(dp);
    const bq = (r() * [0.05, 3, 500][Math.floor(r() * 3)]!).toFixed(Math.floor(r() * 5));
    const aq = (r() * [0.05, 3, 500][Math.floor(r() * 3)]!).toFixed(Math.floor(r() * 5));
    out.push(snap(ts, `SYM${k}`, bid, ask, bq, aq));
  }
  return out;
}

describe("FeatureEngine", () => {
  it("has the reference defaults and validates its config", () => {
    const c = makeFeatureEngineConfig();
    assert.deepEqual(
      { ...c },
      { barIntervalMs: 60_000, atrPeriod: 14, rangeHorizon: 14, maxBars: 1000 },
    );
    for (const bad of [
      { barIntervalMs: 0 },
      { atrPeriod: 0 },
      { rangeHorizon: -1 },
      { maxBars: 0 },
    ]) {
      assert.throws(() => makeFeatureEngineConfig(bad), ConfigError);
    }
  });

  it("computes L1 features on every snapshot", () => {
    const fe = new FeatureEngine();
    // mid 100.05, spread 0.1 / 100.05 * 1e4 = 9.995 bps -> 9
    const f = fe.processSnapshot(snap(1000, "BTC", "100.00", "100.10", "3", "1"));
    assert.equal(f.midPrice.toString(), "100.05");
    assert.equal(f.spreadBps, 9);
    assert.equal(f.imbalanceL1Bps, 5000);
    assert.equal(f.thinL1.toString(), "1");
    assert.equal(f.natrBps, 0);
    assert.equal(f.atr, null);
    assert.equal(f.warmupBars, 0);
    assert.equal(f.isWarmedUp, false);
  });

  it("warms up after period+1 completed bars", () => {
    const fe = new FeatureEngine();
    let f: FeatureSnapshot | undefined;
    // Closes 100, 101, 100, 101, ... one tick per minute.
    for (let i = 0; i <= 15; i++) {
      const px = i % 2 === 0 ? "100" : "101";
      f = fe.processSnapshot(snap(i * 60_000, "X", px, px));
      assert.equal(f.warmupBars, i);
      if (i < 15) assert.equal(f.atr, null, `bar ${i}`);
    }
    assert.ok(f);
    // 15 bars, 14 TRs of 1 -> ATR 1; last close 100 -> 100 bps.
    assert.equal(f.atr?.toString(), "1");
    assert.equal(f.natrBps, 100);
    assert.equal(f.isWarmedUp, true);
    // 7 up moves of 1% and 7 down moves of 0.990099%: 1393.07 -> 1393 bps; net 0.
    assert.equal(f.sumAbsReturnsBps, 1393);
    assert.equal(f.netReturnBps, 0);
    assert.equal(f.rangeScore, 1393);
  });

  it("keeps symbols apart and lists them in first-seen order", () => {
    const fe = new FeatureEngine(makeFeatureEngineConfig({ barIntervalMs: 1000 }));
    fe.processSnapshot(snap(0, "B", "1", "1"));
    fe.processSnapshot(snap(0, "A", "2", "2"));
    fe.processSnapshot(snap(5000, "B", "1", "1"));
    fe.processSnapshot(snap(9000, "B", "3", "3"));
    assert.equal(fe.getBarCount("B"), 2);
    assert.equal(fe.getBarCount("A"), 0);
    assert.equal(fe.getBarCount("C"), 0);
    assert.deepEqual(fe.getAllSymbols(), ["B", "A"]);
    const latest = fe.getAllLatestSnapshots();
    assert.deepEqual([...latest.keys()], ["B", "A"]);
    assert.equal(latest.get("B")?.midPrice.toString(), "3");
    fe.resetSymbol("B");
    assert.equal(fe.getLatestSnapshot("B"), null);
    fe.processSnapshot(snap(10_000, "B", "1", "1"));
    assert.deepEqual(fe.getAllSymbols(), ["A", "B"]);
    assert.equal(fe.getBarCount("B"), 0);
    fe.reset();
    assert.deepEqual(fe.getAllSymbols(), []);
    assert.equal(fe.getAllLatestSnapshots().size, 0);
  });

  it("serialises with the reference's keys and types", () => {
    const fe = new FeatureEngine();
    const f = fe.processSnapshot(snap(42, "ETH", "2000.0", "2001.0", "0.5", "2"));
    assert.equal(
      canonicalJson(f.toDict()),
      '{"atr":null,"imbalance_l1_bps":-6000,"mid_price":"2000.5","natr_bps":0,"net_return_bps":0,' +
        '"range_score":0,"spread_bps":4,"sum_abs_returns_bps":0,"symbol":"ETH","thin_l1":"0.5","ts":42,"warmup_bars":0}',
    );
    assert.deepEqual(Object.keys(f.toPolicyFeatures()).sort(), [
      "imbalanceL1Bps",
      "midPrice",
      "natrBps",
      "netReturnBps",
      "rangeScore",
      "spreadBps",
      "sumAbsReturnsBps",
      "thinL1",
      "warmupBars",
    ]);
    const back = FeatureSnapshot.fromDict(
      JSON.parse(JSON.stringify(f.toDict())) as Record<string, unknown>,
    );
    assert.equal(canonicalJson(back.toDict()), canonicalJson(f.toDict()));
  });

  const configs: [string, Partial<FeatureEngineConfig>, number][] = [
    ["defaults, 1 s steps", {}, 20_000],
    ["5 s bars, many bars per symbol", { barIntervalMs: 5_000 }, 3_000],
    ["maxBars exactly period+1", { barIntervalMs: 2_000, maxBars: 15 }, 3_000],
    ["maxBars below period+1 (never warm)", { barIntervalMs: 2_000, maxBars: 14 }, 3_000],
    [
      "short ATR, long horizon",
      { barIntervalMs: 1_000, atrPeriod: 3, rangeHorizon: 25, maxBars: 26 },
      2_000,
    ],
    [
      "period 1, one bar kept",
      { barIntervalMs: 500, atrPeriod: 1, rangeHorizon: 1, maxBars: 1 },
      1_000,
    ],
    [
      "period 1, two bars kept",
      { barIntervalMs: 500, atrPeriod: 1, rangeHorizon: 1, maxBars: 2 },
      1_000,
    ],
  ];
  for (const [name, cfg, stepMs] of configs) {
    it(`matches a full recomputation on long multi-symbol walks (${name})`, () => {
      const config = makeFeatureEngineConfig(cfg);
      for (const seed of [1, 2]) {
        const fe = new FeatureEngine(config);
        const naive = new NaiveFeatureEngine(config);
        let warmed = 0;
        for (const s of randomWalk(seed, 3000, 1 + 2 * seed, stepMs)) {
          const got = fe.processSnapshot(s).toDict();
          const want = naive.process(s);
          assert.deepEqual(got, want);
          if (got.atr !== null) warmed++;
        }
        if (config.maxBars >= config.atrPeriod + 1)
          assert.ok(warmed > 100, `only ${warmed} warmed events`);
        else assert.equal(warmed, 0);
      }
    });
  }

  it("does per-event work independent of the number of bars kept", () => {
    // Every event completes a bar. The reference recomputes over every kept
    // bar; here the work per event is bounded by the ATR period and range
    // horizon. Counted, not timed: every element read from a ring buffer is
    // tallied, and keeping 20000 bars must read exactly as many as keeping 30.
    const events = Array.from({ length: 5_000 }, (_, i) =>
      snap(i * 1000, "X", String(100 + (i % 13)), String(100 + (i % 13))),
    );
    const proto = RingBuffer.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
    const reads = (maxBars: number): number => {
      let n = 0;
      const saved = {
        at: proto.at,
        fromEnd: proto.fromEnd,
        toArray: proto.toArray,
        last: proto.last,
      };
      proto.at = function (this: unknown, ...a: unknown[]) {
        n++;
        return saved.at?.apply(this, a);
      };
      proto.fromEnd = function (this: unknown, ...a: unknown[]) {
        n++;
        return saved.fromEnd?.apply(this, a);
      };
      proto.toArray = function (this: unknown, ...a: unknown[]) {
        const r = saved.toArray?.apply(this, a) as unknown[];
        n += r.length;
        return r;
      };
      proto.last = function (this: unknown, ...a: unknown[]) {
        const r = saved.last?.apply(this, a) as unknown[];
        n += r.length;
        return r;
      };
      try {
        const fe = new FeatureEngine(makeFeatureEngineConfig({ barIntervalMs: 1000, maxBars }));
        for (const e of events) fe.processSnapshot(e);
      } finally {
        Object.assign(proto, saved);
      }
      return n;
    };
    const small = reads(30);
    assert.ok(small > 0);
    assert.equal(reads(20_000), small);
  });
});
