/**
 * Deterministic synthetic fixtures: per-symbol price paths made of regimes
 * (calm, vol, trend, spread, jump, crash, thin, sparse), interleaved in time.
 * Same spec, same events, byte for byte. Prices are integer ticks internally,
 * so no float drift reaches the file.
 */

import { InvalidInputError } from "../core/errors.js";
import { SeededRandom } from "../core/prng.js";

export const REGIME_KINDS = [
  "calm",
  "vol",
  "trend",
  "spread",
  "jump",
  "crash",
  "thin",
  "sparse",
] as const;
export type RegimeKind = (typeof REGIME_KINDS)[number];

export interface SymbolSpec {
  readonly symbol: string;
  /** Start mid price as a decimal string. */
  readonly startPrice: string;
  /** Regime segments "kind:events", e.g. ["calm:300", "vol:100"]. */
  readonly regimes: readonly string[];
}

export interface GeneratorSpec {
  readonly seed: number;
  readonly startTs: number;
  readonly tickMs: number;
  readonly symbols: readonly SymbolSpec[];
}

interface Segment {
  readonly kind: RegimeKind;
  readonly events: number;
}

function parseSegments(sym: string, regimes: readonly string[]): Segment[] {
  return regimes.map((r) => {
    const m = /^([a-z]+):([1-9]\d{0,8})$/.exec(r);
    if (!m || !(REGIME_KINDS as readonly string[]).includes(m[1] as string)) {
      throw new InvalidInputError(
        `${sym}: regime ${JSON.stringify(r)}: expected "kind:events" with kind one of ${REGIME_KINDS.join(", ")} and events >= 1`,
      );
    }
    return { kind: m[1] as RegimeKind, events: Number.parseInt(m[2] as string, 10) };
  });
}

/** Decimal places of a price string ("0.5123" -> 4, "50000" -> 0, min 2). */
function placesOf(price: string): number {
  const dot = price.indexOf(".");
  return Math.max(2, dot < 0 ? 0 : price.length - dot - 1);
}

function fmt(ticks: number, places: number): string {
  const neg = ticks < 0;
  const s = String(Math.abs(Math.round(ticks))).padStart(places + 1, "0");
  const out = places === 0 ? s : s.slice(0, s.length - places) + "." + s.slice(s.length - places);
  return (neg ? "-" : "") + out;
}

export interface GeneratedEvent {
  readonly ts: number;
  readonly line: string;
}

/** Events of one symbol, in time order. */
function symbolEvents(spec: GeneratorSpec, s: SymbolSpec, index: number): GeneratedEvent[] {
  if (!/^\d+(\.\d+)?$/.test(s.startPrice) || Number(s.startPrice) <= 0) {
    throw new InvalidInputError(`${s.symbol}: startPrice must be a positive decimal string`);
  }
  const rng = new SeededRandom(spec.seed * 1000003 + index * 7919 + 17);
  const places = placesOf(s.startPrice);
  const scale = 10 ** places;
  let mid = Math.round(Number(s.startPrice) * scale);
  let ts = spec.startTs + index * Math.max(1, Math.floor(spec.tickMs / (spec.symbols.length + 1)));
  const out: GeneratedEvent[] = [];
  for (const seg of parseSegments(s.symbol, s.regimes)) {
    const trendDir = rng.next() < 0.5 ? 1 : -1;
    const jumpAt = Math.floor(seg.events / 2);
    for (let i = 0; i < seg.events; i++) {
      let bps: number;
      let spreadBps = rng.uniform(1, 3);
      let qty = rng.uniform(5, 50);
      let step = spec.tickMs;
      switch (seg.kind) {
        case "calm":
          bps = rng.normal() * 2;
          break;
        case "vol":
          bps = rng.normal() * 25;
          spreadBps = rng.uniform(2, 6);
          break;
        case "trend":
          bps = trendDir * 8 + rng.normal() * 3;
          break;
        case "spread":
          bps = rng.normal() * 2;
          spreadBps = rng.uniform(20, 60);
          break;
        case "jump":
          bps = i === jumpAt ? 700 : rng.normal() * 2;
          break;
        case "crash":
          bps = -40 + rng.normal() * 10;
          break;
        case "thin":
          bps = rng.normal() * 3;
          qty = rng.uniform(0.01, 0.08);
          break;
        case "sparse":
          bps = rng.normal() * 15;
          step = 90_000;
          break;
      }
      mid = Math.max(places > 0 ? 10 : 1, Math.round(mid * (1 + bps / 10_000)));
      const half = Math.max(1, Math.round((mid * spreadBps) / 20_000));
      const bid = mid - half;
      const ask = mid + half;
      const bidQty = qty * rng.uniform(0.6, 1.4);
      const askQty = qty * rng.uniform(0.6, 1.4);
      const line = JSON.stringify({
        ts,
        type: "SNAPSHOT",
        symbol: s.symbol,
        bid_price: fmt(bid, places),
        ask_price: fmt(ask, places),
        bid_qty: bidQty.toFixed(3),
        ask_qty: askQty.toFixed(3),
        last_price: fmt(mid, places),
        last_qty: rng.uniform(0.01, 2).toFixed(3),
      });
      out.push({ ts, line });
      ts += step;
    }
  }
  return out;
}

/** All events of a spec, merged in ts order (ties by symbol order). */
export function generateEvents(spec: GeneratorSpec): GeneratedEvent[] {
  if (!Number.isSafeInteger(spec.seed)) throw new InvalidInputError("seed must be an integer");
  if (!Number.isSafeInteger(spec.tickMs) || spec.tickMs <= 0) {
    throw new InvalidInputError("tickMs must be a positive integer");
  }
  if (spec.symbols.length === 0) throw new InvalidInputError("at least one symbol is required");
  const per = spec.symbols.map((s, i) => symbolEvents(spec, s, i));
  const all: { ev: GeneratedEvent; sym: number; i: number }[] = [];
  per.forEach((evs, sym) => {
    evs.forEach((ev, i) => {
      all.push({ ev, sym, i });
    });
  });
  all.sort((a, b) => a.ev.ts - b.ev.ts || a.sym - b.sym || a.i - b.i);
  return all.map((x) => x.ev);
}

/** Parse the `generator` block of a fixture config (snake_case keys). */
export function parseGeneratorSpec(raw: unknown, where: string): GeneratorSpec {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new InvalidInputError(`${where}: "generator" must be an object`);
  }
  const g = raw as Record<string, unknown>;
  const num = (k: string, def: number): number => {
    const v = g[k] ?? def;
    if (typeof v !== "number" || !Number.isSafeInteger(v)) {
      throw new InvalidInputError(`${where}: generator.${k}: expected an integer`);
    }
    return v;
  };
  const symbols = g.symbols;
  if (typeof symbols !== "object" || symbols === null || Array.isArray(symbols)) {
    throw new InvalidInputError(
      `${where}: generator.symbols: expected {"SYM": {"start_price": "1.0", "regimes": ["calm:100"]}}`,
    );
  }
  const specs: SymbolSpec[] = Object.entries(symbols).map(([symbol, v]) => {
    const o = v as Record<string, unknown>;
    if (typeof o?.start_price !== "string" || !Array.isArray(o.regimes)) {
      throw new InvalidInputError(
        `${where}: generator.symbols.${symbol}: expected start_price (string) and regimes (list)`,
      );
    }
    const regimes = o.regimes.map(String);
    parseSegments(`${where}: generator.symbols.${symbol}`, regimes); // errors name the source
    return { symbol, startPrice: o.start_price, regimes };
  });
  return {
    seed: num("seed", 1),
    startTs: num("start_ts", 1_700_000_000_000),
    tickMs: num("tick_ms", 1000),
    symbols: specs,
  };
}
