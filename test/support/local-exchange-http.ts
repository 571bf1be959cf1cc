/**
 * The HTTP side the local exchanges share: a node:http server on 127.0.0.1
 * (random port) that records every request, answers through the exchange's
 * router, and can be told to fail (a given reply such as 5xx, 429 with
 * Retry-After or 418, a reply that never comes, optionally after the
 * request was applied, or a delay). Also Binance's checks of a signed
 * request: API key, HMAC-SHA256 signature and the timestamp window.
 */

import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { BINANCE_ERRORS, type BinanceError } from "./local-exchange-format.js";

export interface LocalExchangeRequest {
  readonly method: string;
  readonly path: string;
  readonly rawQuery: string;
  readonly params: URLSearchParams;
  readonly headers: IncomingMessage["headers"];
}

/** What a router answers: status, body (a string is sent as is) and extra headers. */
export type RouteReply = [number, unknown, Record<string, string>?];

export type Fault =
  /** Reply with this status/body (after applying the request when `apply`). */
  | {
      readonly kind: "reply";
      readonly status: number;
      readonly body: unknown;
      readonly headers?: Readonly<Record<string, string>>;
      readonly apply?: boolean;
    }
  /** Never reply (the client times out); `apply` processes the request first. */
  | { readonly kind: "hang"; readonly apply: boolean }
  /** Reply normally, `ms` later. */
  | { readonly kind: "delay"; readonly ms: number };

interface FaultRule {
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly fault: Fault;
  remaining: number;
}

export interface LocalHttpRoutes {
  /** The answer to a request (called once the request's body has arrived). */
  route(r: LocalExchangeRequest): RouteReply;
  /** The headers of a reply, given the route's own. */
  replyHeaders(routeHeaders: Readonly<Record<string, string>>): Record<string, string>;
}

export class LocalHttpServer {
  readonly requests: LocalExchangeRequest[] = [];
  private readonly faults: FaultRule[] = [];
  private readonly hanging: ServerResponse[] = [];
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private routes: LocalHttpRoutes | undefined;

  private constructor(
    readonly server: Server,
    readonly port: number,
    /** Every open connection, upgraded (WebSocket) ones included (destroyed by `close`). */
    readonly sockets: Set<Socket>,
  ) {}

  /** Listen on a free 127.0.0.1 port; requests get 404 until `serve`. */
  static start(): Promise<LocalHttpServer> {
    return new Promise((resolve, reject) => {
      let http: LocalHttpServer | undefined;
      const sockets = new Set<Socket>();
      const server = createServer((req, res) => http?.handle(req, res));
      server.once("error", reject);
      // Upgraded (WebSocket) sockets are not the HTTP server's to close: tracked here.
      server.on("connection", (socket: Socket) => {
        sockets.add(socket);
        socket.once("close", () => sockets.delete(socket));
      });
      server.listen(0, "127.0.0.1", () => {
        http = new LocalHttpServer(server, (server.address() as AddressInfo).port, sockets);
        resolve(http);
      });
    });
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Answer requests with `routes`. */
  serve(routes: LocalHttpRoutes): void {
    this.routes = routes;
  }

  /** Requests to a path (optionally one method). */
  calls(path: string, method?: string): LocalExchangeRequest[] {
    return this.requests.filter(
      (r) => r.path === path && (method === undefined || r.method === method),
    );
  }

  /** Apply `fault` to the next `times` requests matching method/path. */
  inject(match: { method?: string; path?: string }, fault: Fault, times = 1): void {
    this.faults.push({ method: match.method, path: match.path, fault, remaining: times });
  }

  /** Drop every fault not yet used. */
  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Stop: pending delays dropped, hanging replies and every connection destroyed. */
  close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const r of this.hanging) r.destroy();
    this.hanging.length = 0;
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
      for (const s of this.sockets) s.destroy();
    });
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const rule = this.faults.find(
      (f) =>
        f.remaining > 0 &&
        (f.method === undefined || f.method === method) &&
        (f.path === undefined || f.path === path),
    );
    if (rule === undefined) return undefined;
    rule.remaining -= 1;
    return rule.fault;
  }

  private route(r: LocalExchangeRequest): RouteReply {
    return this.routes === undefined ? [404, ""] : this.routes.route(r);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const rawUrl = req.url ?? "/";
    const q = rawUrl.indexOf("?");
    const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
    const rawQuery = q === -1 ? "" : rawUrl.slice(q + 1);
    const method = req.method ?? "GET";
    const r: LocalExchangeRequest = {
      method,
      path,
      rawQuery,
      params: new URLSearchParams(rawQuery),
      headers: req.headers,
    };
    this.requests.push(r);
    req.resume();
    req.on("end", () => {
      const fault = this.takeFault(method, path);
      if (fault?.kind === "delay") {
        const t = setTimeout(() => {
          this.timers.delete(t);
          this.reply(res, ...this.route(r));
        }, fault.ms);
        this.timers.add(t);
        return;
      }
      if (fault?.kind === "hang") {
        if (fault.apply) this.route(r);
        this.hanging.push(res);
        return;
      }
      if (fault?.kind === "reply") {
        if (fault.apply) this.route(r);
        this.reply(res, fault.status, fault.body, fault.headers);
        return;
      }
      this.reply(res, ...this.route(r));
    });
  }

  private reply(
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Readonly<Record<string, string>> = {},
  ): void {
    const text = typeof body === "string" ? body : JSON.stringify(body);
    res.writeHead(status, this.routes?.replyHeaders(headers) ?? { ...headers });
    res.end(text);
  }
}

export interface Credentials {
  readonly apiKey: string;
  readonly apiSecret: string;
}

/** A refusal: HTTP status and Binance's error body. */
export type Refusal = [number, BinanceError];

/** Whether `signature` is the hex HMAC-SHA256 of `payload` under `secret`. */
export function signatureMatches(secret: string, payload: string, signature: string): boolean {
  const got = Buffer.from(signature, "utf8");
  const want = Buffer.from(createHmac("sha256", secret).update(payload).digest("hex"), "utf8");
  return got.length === want.length && timingSafeEqual(got, want);
}

/** Whether a request stamped `timestamp` is inside its `recvWindow` at server time `now`. */
export function inRecvWindow(timestamp: number, recvWindow: number, now: number): boolean {
  return Number.isFinite(timestamp) && timestamp >= now - recvWindow && timestamp <= now + 1000;
}

/** Binance's check of the X-MBX-APIKEY header. */
export function checkApiKey(key: unknown, apiKey: string): Refusal | undefined {
  if (typeof key !== "string" || key === "") return [401, BINANCE_ERRORS.apiKeyFormat];
  if (key !== apiKey) return [401, BINANCE_ERRORS.badApiKey];
  return undefined;
}

/** Binance's checks of a signed REST request (key, signature last in the query, timestamp). */
export function checkSigned(
  r: LocalExchangeRequest,
  credentials: Credentials,
  now: number,
): Refusal | undefined {
  const bad = checkApiKey(r.headers["x-mbx-apikey"], credentials.apiKey);
  if (bad !== undefined) return bad;
  const at = r.rawQuery.lastIndexOf("&signature=");
  if (at === -1) return [400, BINANCE_ERRORS.mandatory("signature")];
  const signature = r.rawQuery.slice(at + "&signature=".length);
  if (!signatureMatches(credentials.apiSecret, r.rawQuery.slice(0, at), signature))
    return [400, BINANCE_ERRORS.badSignature];
  const timestamp = Number(r.params.get("timestamp"));
  const recvWindow = Number(r.params.get("recvWindow") ?? "5000");
  if (!inRecvWindow(timestamp, recvWindow, now)) return [400, BINANCE_ERRORS.badTimestamp];
  return undefined;
}
