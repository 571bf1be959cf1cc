/**
 * The USD-M user-data stream: a listenKey (`POST /fapi/v1/listenKey`), kept
 * alive with `PUT /fapi/v1/listenKey` every `keepAliveMs` (30 min by default;
 * Binance drops a key after 60 min without one), read over the WebSocket
 * `<base>/ws/<listenKey>`. Every frame is parsed and validated
 * (`usdm-messages.ts`) and handed to `onEvent`; a frame that fails
 * validation is logged with its error (never dropped silently). The
 * connection is made again after any end (closed, missing pong, a failed
 * connect) with capped exponential backoff and jitter (`core/backoff.ts`);
 * `listenKeyExpired`, or a keep-alive answered -1125 (unknown key), gets a
 * new key first. `onConnected(again)` tells the venue a connection is up;
 * after a reconnect it re-syncs by REST (events of the gap are not replayed
 * by Binance).
 *
 * Timers (keep-alive) and sleeps (backoff) are injected: tests need no wait.
 */

import { type BackoffOptions, backoffDelayMs, type RandomSource } from "../../core/backoff.js";
import type { Sleep } from "../../core/clock.js";
import { errorMessage } from "../../core/errors.js";
import { isConnectorIOError } from "../../net/errors/connector-io-error.js";
import type { Timers } from "../../net/timers.js";
import { WsConnection } from "../../net/ws-connection.js";
import type { BinanceRestClient } from "./binance-rest-client.js";
import { parseListenKey, parseUsdmUserEvent, type UsdmUserEvent } from "./usdm-messages.js";

/** Binance: "This listenKey does not exist." */
export const BINANCE_CODE_NO_LISTEN_KEY = -1125;
export const LISTEN_KEY_PATH = "/fapi/v1/listenKey";
export const DEFAULT_KEEP_ALIVE_MS = 30 * 60 * 1000;

export const DEFAULT_STREAM_BACKOFF: BackoffOptions = {
  baseMs: 500,
  maxMs: 30_000,
  multiplier: 2,
  jitter: "equal",
};

export interface UsdmUserStreamOptions {
  readonly client: BinanceRestClient;
  /** WebSocket base ("wss://fstream.binancefuture.com"); the stream is `<base>/ws/<listenKey>`. */
  readonly wsBaseUrl: string;
  readonly onEvent: (e: UsdmUserEvent) => void;
  readonly onConnected: (again: boolean) => void;
  /** A connection ended (or could not be made) and is made again; `reason` is short. */
  readonly onRetry?: (reason: string) => void;
  readonly log: (line: string) => void;
  readonly sleep: Sleep;
  readonly random: RandomSource;
  readonly timers: Timers;
  readonly keepAliveMs?: number;
  readonly backoff?: BackoffOptions;
  /** A silent connection is pinged after this long (default 60 s). */
  readonly pingIntervalMs?: number;
}

export class UsdmUserStream {
  /** Connections made after the first. */
  reconnects = 0;
  /** Frames received (valid or not). */
  frames = 0;
  /** Frames that failed validation. */
  badFrames = 0;
  keepAlives = 0;
  private key: string | undefined;
  private conn: WsConnection | undefined;
  private keepAliveTimer: unknown;
  private readonly stop = new AbortController();
  private task: Promise<void> | undefined;
  private isConnected = false;

  constructor(private readonly o: UsdmUserStreamOptions) {}

  get connected(): boolean {
    return this.isConnected;
  }

  get url(): string {
    return `${this.o.wsBaseUrl.replace(/\/+$/, "")}/ws/${this.key ?? "<no key>"}`;
  }

  /** Start the stream (once); returns at once, the connection is made in the background. */
  start(): void {
    this.task ??= this.run();
    this.armKeepAlive();
  }

  /** Stop: no reconnect, the socket and the keep-alive timer are gone when it resolves. */
  async close(): Promise<void> {
    this.stop.abort("closed");
    this.o.timers.clearTimeout(this.keepAliveTimer);
    this.conn?.terminate();
    await this.task;
  }

  private async run(): Promise<void> {
    const { signal } = this.stop;
    let attempt = 0;
    let first = true;
    while (!signal.aborted) {
      try {
        if (this.key === undefined)
          this.key = parseListenKey(
            await this.o.client.apiKeyJson("listen_key", "POST", LISTEN_KEY_PATH),
          );
        const conn = await WsConnection.open(this.url, {
          connectTimeoutMs: 10_000,
          pingIntervalMs: this.o.pingIntervalMs ?? 60_000,
          pongTimeoutMs: 10_000,
          maxAgeMs: 0,
          signal,
        });
        this.conn = conn;
        if (signal.aborted) {
          conn.terminate();
          break;
        }
        attempt = 0;
        this.isConnected = true;
        this.o.onConnected(!first);
        first = false;
        const why = await this.read(conn);
        this.o.log(`user data stream ended: ${why.detail}`);
        if (!signal.aborted) this.o.onRetry?.(why.reason);
      } catch (e) {
        if (!signal.aborted) {
          this.o.log(`user data stream: ${errorMessage(e)}`);
          this.o.onRetry?.("connect_failed");
        }
      } finally {
        this.isConnected = false;
        this.conn?.terminate();
        this.conn = undefined;
      }
      if (signal.aborted) break;
      this.reconnects += 1;
      const delay = backoffDelayMs(
        attempt++,
        this.o.backoff ?? DEFAULT_STREAM_BACKOFF,
        this.o.random,
      );
      try {
        await this.o.sleep(delay, signal);
      } catch {
        break;
      }
    }
  }

  /** Read frames until the connection ends; why it ended (a short reason and the detail). */
  private async read(conn: WsConnection): Promise<{ reason: string; detail: string }> {
    for (;;) {
      const ev = await conn.recv(0);
      switch (ev.kind) {
        case "message": {
          this.frames += 1;
          let e: UsdmUserEvent;
          try {
            e = parseUsdmUserEvent(ev.text);
          } catch (err) {
            this.badFrames += 1;
            this.o.log(`user data stream: invalid event ignored: ${errorMessage(err)}`);
            continue;
          }
          if (e.kind === "listenKeyExpired") {
            this.key = undefined;
            return { reason: "listen_key_expired", detail: "listenKeyExpired (a new key is made)" };
          }
          this.o.onEvent(e);
          continue;
        }
        case "binary":
          this.badFrames += 1;
          this.o.log(`user data stream: binary frame of ${ev.size} bytes ignored`);
          continue;
        case "closed":
          return {
            reason: "closed",
            detail: `closed (code ${ev.code}${ev.reason ? `, ${ev.reason}` : ""})`,
          };
        case "timeout":
          continue;
        case "pongTimeout":
          return { reason: "pong_timeout", detail: "no pong" };
        case "expired":
          return { reason: "expired", detail: "connection too old" };
      }
    }
  }

  private armKeepAlive(): void {
    if (this.stop.signal.aborted) return;
    this.keepAliveTimer = this.o.timers.setTimeout(() => {
      void this.keepAlive().finally(() => this.armKeepAlive());
    }, this.o.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS);
  }

  /** PUT the listenKey; an unknown key (-1125) is replaced and the stream reconnected. */
  async keepAlive(): Promise<void> {
    if (this.key === undefined || this.stop.signal.aborted) return;
    try {
      await this.o.client.apiKeyJson("listen_key_keepalive", "PUT", LISTEN_KEY_PATH);
      this.keepAlives += 1;
    } catch (e) {
      this.o.log(`user data stream keep-alive: ${errorMessage(e)}`);
      if (isConnectorIOError(e) && e.exchangeCode === BINANCE_CODE_NO_LISTEN_KEY) {
        this.key = undefined;
        this.conn?.terminate();
      }
    }
  }
}
