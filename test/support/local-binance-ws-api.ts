/**
 * The local exchange's spot WebSocket API (`/ws-api/v3` on the exchange's
 * own port): `userDataStream.subscribe.signature` with Binance's signature
 * check (apiKey, timestamp and recvWindow sorted by name, HMAC-SHA256 of the
 * query string, hex), its answer `{"id", "status": 200, "result":
 * {"subscriptionId"}}` or an error `{"id", "status", "error": {"code",
 * "msg"}}`, then the account's events as `{"subscriptionId", "event"}`:
 * `executionReport` for every order change (NEW, TRADE with
 * PARTIALLY_FILLED or FILLED, CANCELED, EXPIRED, REJECTED) and
 * `outboundAccountPosition` after each trade, with Binance's field names
 * (binance-spot-api-docs user-data-stream.md). Events happen whether or not
 * anyone is subscribed: those made while no one is are pushed to no one.
 *
 * A test can drop every connection, push a raw frame, refuse subscriptions
 * or leave them unanswered.
 */

import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type RawData, type WebSocket, WebSocketServer } from "ws";
import { Decimal } from "../../src/core/decimal.js";
import type { LocalBinanceExchange } from "./local-binance-exchange.js";
import { BINANCE_ERRORS, fmt8 } from "./local-exchange-format.js";
import { inRecvWindow, signatureMatches } from "./local-exchange-http.js";
import type { OrderUpdate } from "./local-spot-replies.js";

export const WS_API_PATH = "/ws-api/v3";

interface Session {
  readonly ws: WebSocket;
  subscriptionId: number | undefined;
}

type Obj = Readonly<Record<string, unknown>>;

export class LocalBinanceWsApi {
  /** Every request received (method and params; the signature included). */
  readonly requests: { readonly method: string; readonly params: Obj }[] = [];
  /** Frames sent to subscribers, in order. */
  readonly sent: string[] = [];
  /** Subscriptions acknowledged so far. */
  subscriptions = 0;
  /** Answer subscriptions with this error instead (the next `refuse` ones). */
  private refusals: { code: number; msg: string; status: number }[] = [];
  /** Leave the next subscriptions unanswered. */
  private silent = 0;
  private readonly sessions = new Set<Session>();
  private readonly wss = new WebSocketServer({ noServer: true });
  private nextSubscriptionId = 0;
  private waiters: { n: number; resolve: () => void }[] = [];

  private constructor(private readonly ex: LocalBinanceExchange) {
    ex.httpServer.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if ((req.url ?? "").split("?")[0] !== WS_API_PATH) {
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    });
    ex.onOrderUpdate((u) => this.publish(u));
  }

  /** Serve the WebSocket API on `ex`'s port. */
  static attach(ex: LocalBinanceExchange): LocalBinanceWsApi {
    return new LocalBinanceWsApi(ex);
  }

  get url(): string {
    return `ws://127.0.0.1:${this.ex.port}${WS_API_PATH}`;
  }

  /** Sessions holding a subscription now. */
  get subscribers(): number {
    return [...this.sessions].filter((s) => s.subscriptionId !== undefined).length;
  }

  /** Resolves once `n` subscriptions were acknowledged in total. */
  waitForSubscriptions(n: number): Promise<void> {
    if (this.subscriptions >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  /** Drop every connection (the clients see it closed). */
  dropAll(): void {
    for (const s of this.sessions) s.ws.terminate();
  }

  /** Send a raw text frame to every subscribed session. */
  pushRaw(text: string): void {
    for (const s of this.sessions) if (s.subscriptionId !== undefined) s.ws.send(text);
  }

  /** Refuse the next subscription with this error. */
  refuseNext(error: { code: number; msg: string }, status = 400): void {
    this.refusals.push({ ...error, status });
  }

  /** Leave the next `n` subscriptions unanswered. */
  ignoreNext(n = 1): void {
    this.silent += n;
  }

  close(): void {
    for (const s of this.sessions) s.ws.terminate();
    this.wss.close();
  }

  private accept(ws: WebSocket): void {
    const session: Session = { ws, subscriptionId: undefined };
    this.sessions.add(session);
    ws.on("close", () => this.sessions.delete(session));
    ws.on("error", () => {});
    ws.on("message", (data: RawData) => {
      const text = Buffer.isBuffer(data) ? data.toString("utf8") : String(data);
      this.request(session, text);
    });
  }

  private reply(s: Session, body: unknown): void {
    s.ws.send(JSON.stringify(body));
  }

  private request(s: Session, text: string): void {
    let msg: Obj;
    try {
      const v: unknown = JSON.parse(text);
      if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("not an object");
      msg = v as Obj;
    } catch {
      this.reply(s, {
        id: null,
        status: 400,
        error: { code: -1102, msg: "Malformed request: not a JSON object." },
      });
      return;
    }
    const id = msg.id ?? null;
    const method = typeof msg.method === "string" ? msg.method : "";
    const params = (typeof msg.params === "object" && msg.params !== null ? msg.params : {}) as Obj;
    this.requests.push({ method, params });
    if (method !== "userDataStream.subscribe.signature") {
      this.reply(s, {
        id,
        status: 400,
        error: { code: -1100, msg: `Unknown method '${method}' (local exchange).` },
      });
      return;
    }
    const refusal = this.refusals.shift();
    if (refusal !== undefined) {
      this.reply(s, {
        id,
        status: refusal.status,
        error: { code: refusal.code, msg: refusal.msg },
      });
      return;
    }
    if (this.silent > 0) {
      this.silent -= 1;
      return;
    }
    const problem = this.checkSignature(params);
    if (problem !== undefined) {
      this.reply(s, { id, status: problem[0], error: problem[1] });
      return;
    }
    s.subscriptionId = this.nextSubscriptionId++;
    this.subscriptions += 1;
    this.reply(s, {
      id,
      status: 200,
      result: { subscriptionId: s.subscriptionId },
      rateLimits: [
        {
          rateLimitType: "REQUEST_WEIGHT",
          interval: "MINUTE",
          intervalNum: 1,
          limit: 6000,
          count: 2,
        },
      ],
    });
    this.waiters = this.waiters.filter((w) => {
      if (this.subscriptions < w.n) return true;
      w.resolve();
      return false;
    });
  }

  /** Binance's checks of a signed WebSocket API request. */
  private checkSignature(p: Obj): [number, { code: number; msg: string }] | undefined {
    const { apiKey, apiSecret } = this.ex.credentials;
    if (typeof p.apiKey !== "string" || p.apiKey === "") return [400, BINANCE_ERRORS.apiKeyFormat];
    if (p.apiKey !== apiKey) return [401, BINANCE_ERRORS.badApiKey];
    if (typeof p.signature !== "string") return [400, BINANCE_ERRORS.mandatory("signature")];
    if (typeof p.timestamp !== "number") return [400, BINANCE_ERRORS.mandatory("timestamp")];
    const payload = Object.keys(p)
      .filter((k) => k !== "signature")
      .sort()
      .map((k) => `${k}=${String(p[k])}`)
      .join("&");
    if (!signatureMatches(apiSecret, payload, p.signature))
      return [400, BINANCE_ERRORS.badSignature];
    const recvWindow = typeof p.recvWindow === "number" ? p.recvWindow : 5000;
    if (!inRecvWindow(p.timestamp, recvWindow, this.ex.serverNow()))
      return [400, BINANCE_ERRORS.badTimestamp];
    return undefined;
  }

  private event(e: Obj): void {
    for (const s of this.sessions) {
      if (s.subscriptionId === undefined) continue;
      const text = JSON.stringify({ subscriptionId: s.subscriptionId, event: e });
      this.sent.push(text);
      s.ws.send(text);
    }
  }

  private publish(u: OrderUpdate): void {
    const o = u.order;
    const t = u.trade;
    const now = Date.now();
    const cancel = u.executionType === "CANCELED";
    const zero = fmt8("0");
    this.event({
      e: "executionReport",
      E: now,
      s: o.symbol,
      c: cancel ? (u.cancelClientOrderId ?? "") : o.clientOrderId,
      S: o.side,
      o: o.type,
      f: o.timeInForce,
      q: fmt8(o.origQty),
      p: fmt8(o.price),
      P: zero,
      F: zero,
      g: -1,
      C: cancel ? o.clientOrderId : "",
      x: u.executionType,
      X: o.status,
      r: u.rejectReason ?? "NONE",
      i: o.orderId,
      l: t?.qty ?? zero,
      z: o.executedQty,
      L: t?.price ?? zero,
      n: t?.commission ?? "0",
      N: t?.commissionAsset ?? null,
      T: t?.time ?? o.updateTime,
      t: t?.id ?? -1,
      I: 0,
      w: o.status === "NEW" || o.status === "PARTIALLY_FILLED",
      m: t?.isMaker ?? false,
      M: false,
      O: o.time,
      Z: o.cummulativeQuoteQty,
      Y: t !== undefined ? fmt8(mul(t.price, t.qty)) : zero,
      Q: zero,
      W: o.time,
      V: "EXPIRE_MAKER",
    });
    if (t === undefined) return;
    const assets = this.ex.assetsOf(o.symbol);
    const account = this.ex.account();
    this.event({
      e: "outboundAccountPosition",
      E: now,
      u: t.time,
      B: [assets.base, assets.quote].map((a) => ({
        a,
        f: fmt8(account.get(a) ?? Decimal.ZERO),
        l: zero,
      })),
    });
  }
}

function mul(a: string, b: string): string {
  return fmt8(Decimal.parse(a).mul(Decimal.parse(b)));
}
