/**
 * A local stand-in for Binance's market-data WebSocket (127.0.0.1, random
 * port): answers SUBSCRIBE like Binance, and lets a test push frames, drop
 * connections, stall, and ignore pings.
 */

import type { AddressInfo } from "node:net";
import { type RawData, type WebSocket, WebSocketServer } from "ws";

export class LocalWsClient {
  /** Params of every SUBSCRIBE received, in order. */
  readonly subscriptions: string[][] = [];
  readonly received: string[] = [];
  pongsReceived = 0;
  private subscribeWaiters: { n: number; resolve: () => void }[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on("message", (data: RawData) => {
      const text = Buffer.isBuffer(data) ? data.toString("utf8") : String(data);
      this.received.push(text);
      let msg: unknown;
      try {
        msg = JSON.parse(text);
      } catch {
        return;
      }
      const m = msg as { method?: unknown; params?: unknown; id?: unknown };
      if (m.method === "SUBSCRIBE" && Array.isArray(m.params)) {
        this.subscriptions.push(m.params.map(String));
        ws.send(JSON.stringify({ result: null, id: m.id ?? null }));
        this.subscribeWaiters = this.subscribeWaiters.filter((w) => {
          if (this.subscriptions.length >= w.n) {
            w.resolve();
            return false;
          }
          return true;
        });
      }
    });
    ws.on("pong", () => {
      this.pongsReceived += 1;
    });
    ws.on("error", () => {});
  }

  waitForSubscriptions(n = 1): Promise<void> {
    if (this.subscriptions.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.subscribeWaiters.push({ n, resolve }));
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === "string" ? msg : JSON.stringify(msg));
  }

  sendBinary(bytes: Uint8Array): void {
    this.ws.send(bytes, { binary: true });
  }

  ping(): void {
    this.ws.ping();
  }

  /** Kill the TCP connection without a close frame. */
  drop(): void {
    this.ws.terminate();
  }
}

export class LocalWsServer {
  readonly clients: LocalWsClient[] = [];
  private waiters: { n: number; resolve: (c: LocalWsClient) => void }[] = [];

  private constructor(
    private readonly wss: WebSocketServer,
    readonly port: number,
  ) {
    wss.on("connection", (ws) => {
      const c = new LocalWsClient(ws);
      this.clients.push(c);
      this.waiters = this.waiters.filter((w) => {
        if (this.clients.length >= w.n) {
          w.resolve(this.clients[w.n - 1] as LocalWsClient);
          return false;
        }
        return true;
      });
    });
  }

  /** Start on 127.0.0.1 with a free port. `autoPong: false` leaves client pings unanswered. */
  static start(options: { autoPong?: boolean } = {}): Promise<LocalWsServer> {
    return new Promise((resolve, reject) => {
      const wss = new WebSocketServer({
        host: "127.0.0.1",
        port: 0,
        autoPong: options.autoPong ?? true,
        perMessageDeflate: false,
      });
      wss.once("listening", () =>
        resolve(new LocalWsServer(wss, (wss.address() as AddressInfo).port)),
      );
      wss.once("error", reject);
    });
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/stream`;
  }

  /** Resolves with the n-th client (1-based) once it has connected. */
  waitForClient(n: number): Promise<LocalWsClient> {
    if (this.clients.length >= n) return Promise.resolve(this.clients[n - 1] as LocalWsClient);
    return new Promise((resolve) => this.waiters.push({ n, resolve }));
  }

  /** Terminate every client and stop listening. */
  close(): Promise<void> {
    for (const c of this.clients) c.ws.terminate();
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }
}

/** A spot bookTicker payload. */
export function spotTicker(
  symbol: string,
  u: number,
  bid: string,
  ask: string,
): Record<string, unknown> {
  return { u, s: symbol, b: bid, B: "1.00000000", a: ask, A: "2.00000000" };
}

/** A USD-M futures bookTicker payload. */
export function futuresTicker(
  symbol: string,
  u: number,
  eventTime: number,
  bid: string,
  ask: string,
): Record<string, unknown> {
  return {
    e: "bookTicker",
    u,
    E: eventTime,
    T: eventTime - 2,
    s: symbol,
    b: bid,
    B: "3.5",
    a: ask,
    A: "4.5",
  };
}
