/**
 * Binance request-rate bookkeeping for the REST port:
 * - reads X-MBX-USED-WEIGHT-<n><unit> and X-MBX-ORDER-COUNT-<n><unit> headers
 *   and slows writes down (waits for the next window) when usage nears a limit;
 * - after a 429, refuses every request until Retry-After has passed;
 * - after a 418 (IP ban), refuses every request, writes included, until the
 *   ban ends: Retry-After, else the "banned until <ms>" of Binance's message,
 *   else DEFAULT_BAN_HALT_MS (2 minutes); then writes resume by themselves.
 *
 * `writeHalt` tells the trading loop whether writes are halted now (a ban or
 * a 429 back-off), why and until when, so it decides no tick meanwhile.
 */

import type { Clock, Sleep } from "../../core/clock.js";
import { ConnectorNonRetryableError } from "../../net/errors/connector-non-retryable-error.js";
import { ConnectorTransientError } from "../../net/errors/connector-transient-error.js";
import { parseRetryAfterMs } from "./binance-error-mapping.js";
import type { BinanceMarket } from "./binance-urls.js";

/** Limits keyed by interval tag as in the header suffix ("1m", "10s", "1d"). */
export interface BinanceRateLimits {
  readonly weight: Readonly<Record<string, number>>;
  readonly orders: Readonly<Record<string, number>>;
}

export const DEFAULT_RATE_LIMITS: Readonly<Record<BinanceMarket, BinanceRateLimits>> = {
  spot: { weight: { "1m": 6000 }, orders: { "10s": 100, "1d": 200_000 } },
  usdm: { weight: { "1m": 2400 }, orders: { "10s": 300, "1m": 1200 } },
};

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const HEADER = /^x-mbx-(used-weight|order-count)-(\d+)([smhd])$/;

export function intervalMs(tag: string): number | undefined {
  const m = /^(\d+)([smhd])$/.exec(tag);
  return m ? Number(m[1]) * (UNIT_MS[m[2] as string] as number) : undefined;
}

/** How long writes stop after a 418 that names no end (no Retry-After, no "banned until"). */
export const DEFAULT_BAN_HALT_MS = 120_000;

/** Why writes are halted now, and until when (epoch ms by the guard's clock). */
export interface WriteHalt {
  readonly reason: "ip_ban" | "rate_limit";
  readonly untilMs: number;
  readonly detail: string;
}

/** The end of a ban named in Binance's 418 message ("... banned until 1700000060000."). */
export function bannedUntilMs(bodyText: string | undefined): number | undefined {
  const m = /banned until (\d{10,16})/.exec(bodyText ?? "");
  return m ? Number(m[1]) : undefined;
}

interface Usage {
  readonly count: number;
  readonly windowStartMs: number;
  readonly windowMs: number;
}

export interface RateLimitStats {
  throttledWrites: number;
  throttleWaitMs: number;
  rejectedWhileBackingOff: number;
  rateLimited429: number;
  bans418: number;
}

export interface BinanceRateLimitGuardOptions {
  readonly limits: BinanceRateLimits;
  readonly clock: Clock;
  readonly sleep: Sleep;
  /** Usage ratio from which writes wait for the next window. Default 0.9. */
  readonly slowdownRatio?: number;
  /** Longest wait for a window; a longer one (e.g. the daily order count) refuses the write. Default 60 s. */
  readonly maxThrottleWaitMs?: number;
}

export class BinanceRateLimitGuard {
  private readonly usage = new Map<string, Usage>();
  private blockedUntilMs = 0;
  private banUntilMs = 0;
  private banDetail = "";
  readonly stats: RateLimitStats = {
    throttledWrites: 0,
    throttleWaitMs: 0,
    rejectedWhileBackingOff: 0,
    rateLimited429: 0,
    bans418: 0,
  };
  private readonly slowdownRatio: number;
  private readonly maxThrottleWaitMs: number;

  constructor(private readonly options: BinanceRateLimitGuardOptions) {
    this.slowdownRatio = options.slowdownRatio ?? 0.9;
    this.maxThrottleWaitMs = options.maxThrottleWaitMs ?? 60_000;
  }

  /** Why writes are stopped (a 418 ban still running), if they are. */
  get writesHalted(): string | undefined {
    return this.options.clock.nowMs() < this.banUntilMs ? this.banDetail : undefined;
  }

  /** Whether writes are halted now (a ban, else a 429 back-off), why and until when. */
  get writeHalt(): WriteHalt | undefined {
    const now = this.options.clock.nowMs();
    if (now < this.banUntilMs)
      return { reason: "ip_ban", untilMs: this.banUntilMs, detail: this.banDetail };
    if (now < this.blockedUntilMs)
      return {
        reason: "rate_limit",
        untilMs: this.blockedUntilMs,
        detail: "rate limited (429), backing off until Retry-After",
      };
    return undefined;
  }

  /** Operator action: end a ban early (after it has been investigated). */
  clearHalt(): void {
    this.banUntilMs = 0;
    this.blockedUntilMs = 0;
  }

  /** Latest usage seen for a header tag such as "used-weight-1m" (0 when stale or unseen). */
  usageOf(tag: string): number {
    const u = this.usage.get(tag);
    if (u === undefined) return 0;
    return this.options.clock.nowMs() >= u.windowStartMs + u.windowMs ? 0 : u.count;
  }

  /**
   * Call before every request. Throws while backing off after a 429/418, or
   * for a write while writes are halted; waits (writes only) when a limit is near.
   */
  async beforeRequest(op: string, isWrite: boolean): Promise<void> {
    const now = this.options.clock.nowMs();
    if (isWrite && now < this.banUntilMs)
      throw new ConnectorNonRetryableError(
        `Writes stopped after an IP ban (418) until ${new Date(this.banUntilMs).toISOString()}: ` +
          `${this.banDetail}; refusing ${op}`,
      );
    if (now < this.blockedUntilMs) {
      this.stats.rejectedWhileBackingOff += 1;
      const wait = this.blockedUntilMs - now;
      throw new ConnectorTransientError(
        `Backing off after a Binance rate limit: ${op} refused for another ${wait}ms (Retry-After)`,
        { retryAfterMs: wait },
      );
    }
    if (!isWrite) return;
    const wait = this.throttleWaitMs(now);
    if (wait > 0) {
      this.stats.throttledWrites += 1;
      this.stats.throttleWaitMs += wait;
      await this.options.sleep(wait);
    }
  }

  private throttleWaitMs(now: number): number {
    let wait = 0;
    const check = (
      kind: "used-weight" | "order-count",
      limits: Readonly<Record<string, number>>,
    ): void => {
      for (const [tag, limit] of Object.entries(limits)) {
        const u = this.usage.get(`${kind}-${tag}`);
        if (u === undefined || now >= u.windowStartMs + u.windowMs) continue;
        if (u.count < this.slowdownRatio * limit) continue;
        const w = u.windowStartMs + u.windowMs - now;
        if (w > this.maxThrottleWaitMs)
          throw new ConnectorNonRetryableError(
            `Binance ${kind} ${tag} at ${u.count} of ${limit}: the window resets in ${w}ms; refusing writes until then`,
          );
        wait = Math.max(wait, w);
      }
    };
    check("used-weight", this.options.limits.weight);
    check("order-count", this.options.limits.orders);
    return wait;
  }

  /** Call with every reply (errors included); the body names a 418's end when Retry-After does not. */
  onResponse(status: number, headers: Readonly<Record<string, string>>, bodyText?: string): void {
    const now = this.options.clock.nowMs();
    for (const [name, value] of Object.entries(headers)) {
      const m = HEADER.exec(name.toLowerCase());
      if (!m) continue;
      const count = Number(value);
      if (!Number.isFinite(count)) continue;
      const windowMs = Number(m[2]) * (UNIT_MS[m[3] as string] as number);
      this.usage.set(`${m[1]}-${m[2]}${m[3]}`, {
        count,
        windowStartMs: Math.floor(now / windowMs) * windowMs,
        windowMs,
      });
    }
    if (status === 429) {
      this.stats.rateLimited429 += 1;
      const retryAfter = parseRetryAfterMs(headers["retry-after"], now);
      if (retryAfter !== undefined)
        this.blockedUntilMs = Math.max(this.blockedUntilMs, now + retryAfter);
    } else if (status === 418) {
      this.stats.bans418 += 1;
      const retryAfter = parseRetryAfterMs(headers["retry-after"], now);
      const named = bannedUntilMs(bodyText);
      const source =
        retryAfter !== undefined
          ? "Retry-After"
          : named !== undefined && named > now
            ? "the ban message"
            : `no end given, default ${DEFAULT_BAN_HALT_MS} ms`;
      const until =
        retryAfter !== undefined
          ? now + retryAfter
          : named !== undefined && named > now
            ? named
            : now + DEFAULT_BAN_HALT_MS;
      this.banUntilMs = Math.max(this.banUntilMs, until);
      this.blockedUntilMs = Math.max(this.blockedUntilMs, until);
      this.banDetail = `IP banned (418) at ${new Date(now).toISOString()} for ${until - now} ms (${source})`;
    }
  }
}
