/**
 * One WebSocket connection (the `ws` client) as a pull-based event source:
 * frames are queued and read with `recv(timeout)`. It answers server pings,
 * pings the server itself and reports a missing pong, and reports when the
 * connection reaches its maximum age. Every timer is cleared and the socket
 * destroyed by `close`/`terminate`.
 */

import { type RawData, WebSocket } from "ws";
import { errorMessage } from "../core/errors.js";
import { ConnectorTimeoutError } from "./errors/connector-timeout-error.js";
import { ConnectorTransientError } from "./errors/connector-transient-error.js";

export type WsEvent =
  | { readonly kind: "message"; readonly text: string }
  | { readonly kind: "binary"; readonly size: number }
  | { readonly kind: "closed"; readonly code: number; readonly reason: string }
  | { readonly kind: "timeout" }
  | { readonly kind: "pongTimeout" }
  | { readonly kind: "expired" };

export interface WsConnectionOptions {
  readonly connectTimeoutMs: number;
  /** Send a ping this long after the last pong (0 = never ping). */
  readonly pingIntervalMs: number;
  /** A ping unanswered this long ends the connection with `pongTimeout`. */
  readonly pongTimeoutMs: number;
  /** End the connection with `expired` after this long (0 = never). */
  readonly maxAgeMs: number;
  /** Aborting gives up an opening handshake. */
  readonly signal?: AbortSignal;
}

function rawToText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString("utf8");
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data).toString("utf8");
}

function rawSize(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data.byteLength;
}

export class WsConnection {
  pingsReceived = 0;
  pongsReceived = 0;
  pingsSent = 0;
  private readonly queue: WsEvent[] = [];
  private waiter: ((ev: WsEvent) => void) | undefined;
  private terminal: WsEvent | undefined;
  private pingTimer: ReturnType<typeof setTimeout> | undefined;
  private pongTimer: ReturnType<typeof setTimeout> | undefined;
  private ageTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly closedPromise: Promise<void>;

  private constructor(
    private readonly ws: WebSocket,
    private readonly options: WsConnectionOptions,
  ) {
    this.closedPromise = new Promise<void>((resolve) => {
      ws.once("close", () => resolve());
    });
    ws.on("message", (data: RawData, isBinary: boolean) => {
      if (isBinary) this.push({ kind: "binary", size: rawSize(data) });
      else this.push({ kind: "message", text: rawToText(data) });
    });
    ws.on("ping", () => {
      this.pingsReceived += 1;
    });
    ws.on("pong", () => {
      this.pongsReceived += 1;
      if (this.pongTimer !== undefined) {
        clearTimeout(this.pongTimer);
        this.pongTimer = undefined;
        this.schedulePing();
      }
    });
    ws.on("close", (code: number, reason: Buffer) => {
      this.finish({ kind: "closed", code, reason: reason.toString("utf8") });
    });
    // Errors after open are followed by "close"; the listener keeps them from being thrown.
    ws.on("error", () => {});
    this.schedulePing();
    if (options.maxAgeMs > 0)
      this.ageTimer = setTimeout(() => this.finish({ kind: "expired" }), options.maxAgeMs);
  }

  /** Open a connection; rejects with ConnectorTimeoutError("connect") or ConnectorTransientError. */
  static open(url: string, options: WsConnectionOptions): Promise<WsConnection> {
    return new Promise<WsConnection>((resolve, reject) => {
      const ws = new WebSocket(url, {
        perMessageDeflate: false,
        autoPong: true,
        ...(options.connectTimeoutMs > 0 ? { handshakeTimeout: options.connectTimeoutMs } : {}),
      });
      let done = false;
      const timer =
        options.connectTimeoutMs > 0
          ? setTimeout(() => {
              if (done) return;
              done = true;
              ws.terminate();
              reject(new ConnectorTimeoutError("connect", options.connectTimeoutMs));
            }, options.connectTimeoutMs)
          : undefined;
      const fail = (detail: string, cause?: unknown): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        ws.terminate();
        reject(new ConnectorTransientError(`WebSocket connect failed: ${detail}`, { cause }));
      };
      ws.once("open", () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        ws.removeAllListeners("error");
        resolve(new WsConnection(ws, options));
      });
      ws.on("error", (e: Error) => {
        if (e.message.includes("Opening handshake has timed out")) {
          if (done) return;
          done = true;
          clearTimeout(timer);
          ws.terminate();
          reject(new ConnectorTimeoutError("connect", options.connectTimeoutMs));
          return;
        }
        fail(errorMessage(e), e);
      });
      ws.once("close", (code: number) => fail(`closed during handshake (code ${code})`));
      const signal = options.signal;
      if (signal !== undefined) {
        const onAbort = (): void => fail("aborted");
        if (signal.aborted) onAbort();
        else {
          signal.addEventListener("abort", onAbort, { once: true });
          ws.once("close", () => signal.removeEventListener("abort", onAbort));
        }
      }
    });
  }

  get isOpen(): boolean {
    return this.terminal === undefined && this.ws.readyState === WebSocket.OPEN;
  }

  /** Next event; `timeout` when nothing arrived within `timeoutMs` (0 = wait forever). */
  recv(timeoutMs: number): Promise<WsEvent> {
    const next = this.queue.shift();
    if (next !== undefined) return Promise.resolve(next);
    if (this.terminal !== undefined) return Promise.resolve(this.terminal);
    return new Promise<WsEvent>((resolve) => {
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              this.waiter = undefined;
              resolve({ kind: "timeout" });
            }, timeoutMs)
          : undefined;
      this.waiter = (ev) => {
        clearTimeout(timer);
        this.waiter = undefined;
        resolve(ev);
      };
    });
  }

  /** Send a text frame; rejects with ConnectorTimeoutError("write") or ConnectorTransientError. */
  send(text: string, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (!this.isOpen) {
        reject(new ConnectorTransientError("WebSocket send failed: connection is not open"));
        return;
      }
      let done = false;
      const timer =
        timeoutMs > 0
          ? setTimeout(() => {
              if (done) return;
              done = true;
              reject(new ConnectorTimeoutError("write", timeoutMs));
            }, timeoutMs)
          : undefined;
      this.ws.send(text, (err?: Error) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        if (err)
          reject(
            new ConnectorTransientError(`WebSocket send failed: ${err.message}`, { cause: err }),
          );
        else resolve();
      });
    });
  }

  /** Graceful close (close frame), forced after `timeoutMs`. Resolves once the socket is gone. */
  async close(timeoutMs: number): Promise<void> {
    this.clearTimers();
    if (this.ws.readyState === WebSocket.CLOSED) return;
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000, "client close");
    else this.ws.terminate();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const forced = new Promise<void>((resolve) => {
      timer = setTimeout(
        () => {
          this.ws.terminate();
          resolve();
        },
        Math.max(1, timeoutMs),
      );
    });
    await Promise.race([this.closedPromise, forced]);
    clearTimeout(timer);
    await this.closedPromise;
  }

  /** Drop the socket at once. */
  terminate(): void {
    this.clearTimers();
    this.ws.terminate();
  }

  private push(ev: WsEvent): void {
    if (this.waiter !== undefined) this.waiter(ev);
    else this.queue.push(ev);
  }

  private finish(ev: WsEvent): void {
    if (this.terminal !== undefined) return;
    this.terminal = ev;
    this.clearTimers();
    this.push(ev);
  }

  private schedulePing(): void {
    if (this.options.pingIntervalMs <= 0 || this.terminal !== undefined) return;
    this.pingTimer = setTimeout(() => {
      this.pingTimer = undefined;
      if (!this.isOpen) return;
      this.ws.ping();
      this.pingsSent += 1;
      this.pongTimer = setTimeout(() => {
        this.pongTimer = undefined;
        this.finish({ kind: "pongTimeout" });
        this.ws.terminate();
      }, this.options.pongTimeoutMs);
    }, this.options.pingIntervalMs);
  }

  private clearTimers(): void {
    clearTimeout(this.pingTimer);
    clearTimeout(this.pongTimer);
    clearTimeout(this.ageTimer);
    this.pingTimer = undefined;
    this.pongTimer = undefined;
    this.ageTimer = undefined;
  }
}
