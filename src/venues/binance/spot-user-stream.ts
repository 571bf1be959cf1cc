/**
 * The spot account's user data through Binance's WebSocket API (the
 * listenKey stream was retired in 2026): connect to the WS API, send
 * `userDataStream.subscribe.signature` (apiKey, recvWindow, timestamp and the
 * HMAC-SHA256 signature of those parameters sorted by name, as a signed REST
 * query), and hand every decoded event (`spot-user-frames.ts`) to the owner.
 *
 * The connection is kept: any end (close, missing pong, a refused or
 * unanswered subscription, `eventStreamTerminated`, a frame that does not
 * decode) is logged and followed by a reconnect after the one backoff rule
 * (`core/backoff.ts`: capped exponential with jitter), the attempt count
 * reset once a subscription is acknowledged. Each acknowledged subscription
 * is reported (`onSubscribed`): events may have been missed before it, so
 * the owner runs its REST backstop. The key and secret are never logged.
 */

import { type BackoffOptions, backoffDelayMs, type RandomSource } from "../../core/backoff.js";
import type { Sleep } from "../../core/clock.js";
import { errorMessage } from "../../core/errors.js";
import { realSleep } from "../../net/clock.js";
import { systemRandom } from "../../net/random.js";
import { WsConnection } from "../../net/ws-connection.js";
import { encodeQuery, hmacSha256Hex } from "./binance-signing.js";
import { type Env, resolveWsApiUrl } from "./binance-urls.js";
import { decodeUserFrame, type UserFrame } from "./spot-user-frames.js";

export interface SpotUserStreamOptions {
  /** WS API URL (undefined: GRINDER_BINANCE_WS_API_URL, else the spot testnet). Guarded. */
  readonly url?: string;
  readonly env: Env;
  readonly apiKey: string;
  readonly apiSecret: string;
  /** The exchange's clock (the REST client's server-time estimate) for the signature's timestamp. */
  readonly serverNowMs: () => number;
  readonly recvWindowMs?: number;
  /** Reconnect delays (default 250 ms doubling to 30 s, equal jitter). */
  readonly backoff?: BackoffOptions;
  readonly random?: RandomSource;
  readonly sleep?: Sleep;
  /** Wait this long for the subscription's answer (default 10 s). */
  readonly subscribeTimeoutMs?: number;
  readonly connectTimeoutMs?: number;
  /** Ping the server after this much quiet (default 30 s; its pong within `pongTimeoutMs`). */
  readonly pingIntervalMs?: number;
  readonly pongTimeoutMs?: number;
  /** An event of the subscription (execution reports, account positions, ignored kinds). */
  readonly onEvent: (frame: Exclude<UserFrame, { kind: "response" }>) => void;
  /** A subscription was acknowledged (after each connect). */
  readonly onSubscribed: () => void;
  /**
   * A reconnect is coming: `closed` after a subscribed session ended,
   * `connect_failed` when the connection or the subscription failed.
   */
  readonly onReconnect?: (reason: "closed" | "connect_failed") => void;
  readonly log: (line: string) => void;
}

const DEFAULT_BACKOFF: BackoffOptions = {
  baseMs: 250,
  maxMs: 30_000,
  multiplier: 2,
  jitter: "equal",
};

/** The subscription request (id, method, signed params), as sent. */
export function subscribeRequest(
  id: string,
  apiKey: string,
  apiSecret: string,
  timestampMs: number,
  recvWindowMs: number,
): string {
  const params: [string, string][] = [
    ["apiKey", apiKey],
    ["recvWindow", String(recvWindowMs)],
    ["timestamp", String(timestampMs)],
  ];
  const signature = hmacSha256Hex(apiSecret, encodeQuery(params));
  return JSON.stringify({
    id,
    method: "userDataStream.subscribe.signature",
    params: { apiKey, recvWindow: recvWindowMs, timestamp: timestampMs, signature },
  });
}

export class SpotUserStream {
  readonly url: string;
  /** Acknowledged subscriptions so far (1 after the first connect). */
  subscriptions = 0;
  /** Connection attempts that failed or ended. */
  disconnects = 0;
  private conn: WsConnection | undefined;
  private loop: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private readonly backoff: BackoffOptions;
  private readonly random: RandomSource;
  private readonly sleep: Sleep;
  private subscribedValue = false;
  private requestSeq = 0;

  constructor(private readonly o: SpotUserStreamOptions) {
    this.url = resolveWsApiUrl(o.url, o.env);
    this.backoff = o.backoff ?? DEFAULT_BACKOFF;
    this.random = o.random ?? systemRandom;
    this.sleep = o.sleep ?? realSleep;
  }

  /** Subscribed now (the events flow). */
  get subscribed(): boolean {
    return this.subscribedValue;
  }

  /** Start connecting (once); the loop runs until `stop`. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Stop: the connection is closed, the loop ends. */
  async stop(): Promise<void> {
    this.abort.abort(new Error("stopped"));
    this.conn?.terminate();
    await this.loop;
  }

  private async run(): Promise<void> {
    const signal = this.abort.signal;
    let attempt = 0;
    while (!signal.aborted) {
      let acknowledged = false;
      try {
        await this.session(signal, () => {
          attempt = 0;
          acknowledged = true;
        });
      } catch (e) {
        if (signal.aborted) break;
        this.o.log(`user data stream: ${errorMessage(e)}`);
      } finally {
        this.subscribedValue = false;
        this.conn?.terminate();
        this.conn = undefined;
      }
      if (signal.aborted) break;
      this.disconnects += 1;
      this.o.onReconnect?.(acknowledged ? "closed" : "connect_failed");
      const delay = backoffDelayMs(attempt++, this.backoff, this.random);
      this.o.log(`user data stream: reconnecting in ${delay} ms`);
      try {
        await this.sleep(delay, signal);
      } catch {
        break;
      }
    }
  }

  /** One connection: subscribe, then events until it ends (throws why it ended). */
  private async session(signal: AbortSignal, onAcknowledged: () => void): Promise<void> {
    const conn = await WsConnection.open(this.url, {
      connectTimeoutMs: this.o.connectTimeoutMs ?? 10_000,
      pingIntervalMs: this.o.pingIntervalMs ?? 30_000,
      pongTimeoutMs: this.o.pongTimeoutMs ?? 10_000,
      maxAgeMs: 0,
      signal,
    });
    this.conn = conn;
    if (signal.aborted) return;
    const id = `grinder-uds-${++this.requestSeq}`;
    const recvWindow = this.o.recvWindowMs ?? 5000;
    await conn.send(
      subscribeRequest(
        id,
        this.o.apiKey,
        this.o.apiSecret,
        Math.trunc(this.o.serverNowMs()),
        recvWindow,
      ),
      5000,
    );
    const subscribeTimeout = this.o.subscribeTimeoutMs ?? 10_000;
    let subscriptionId: number | undefined;
    for (;;) {
      const ev = await conn.recv(subscriptionId === undefined ? subscribeTimeout : 0);
      if (signal.aborted) return;
      if (ev.kind === "timeout")
        throw new Error(`no answer to the subscription within ${subscribeTimeout} ms`);
      if (ev.kind === "closed")
        throw new Error(`connection closed (code ${ev.code}${ev.reason ? `: ${ev.reason}` : ""})`);
      if (ev.kind === "pongTimeout") throw new Error("no pong: connection dropped");
      if (ev.kind === "expired") throw new Error("connection expired");
      if (ev.kind === "binary")
        throw new Error(`unexpected binary frame of ${ev.size} bytes (expected JSON text)`);
      const frame = decodeUserFrame(ev.text);
      if (frame.kind === "response") {
        if (frame.id !== id)
          throw new Error(
            `answer to an unknown request ${JSON.stringify(frame.id)} (expected ${id})`,
          );
        if (frame.error !== undefined)
          throw new Error(
            `subscription refused: ${frame.status} ${frame.error.code}: ${frame.error.msg}`,
          );
        if (frame.subscriptionId === undefined)
          throw new Error("subscription answer without result.subscriptionId");
        subscriptionId = frame.subscriptionId;
        this.subscribedValue = true;
        this.subscriptions += 1;
        onAcknowledged();
        this.o.onSubscribed();
        continue;
      }
      if (subscriptionId === undefined || frame.subscriptionId !== subscriptionId)
        throw new Error(
          `event of subscription ${frame.subscriptionId}, expected ${subscriptionId ?? "none yet"}`,
        );
      if (frame.kind === "terminated") throw new Error("the exchange ended the subscription");
      this.o.onEvent(frame);
    }
  }
}
