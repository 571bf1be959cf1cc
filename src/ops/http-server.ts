/**
 * The operations HTTP endpoints of a live process:
 *
 * - `GET /healthz`: liveness, always 200 while the process serves,
 *   `{"status": "ok", "uptime_s": <float>}`.
 * - `GET /readyz`: readiness, 200 only when the HA role is ACTIVE, 503 for
 *   STANDBY and UNKNOWN, `{"ready": <bool>, "role": "<role>"}`; while the
 *   exchange halts the venue's writes (a 418 ban, a 429 back-off) the body
 *   also says so: `"halted": {"reason": "ip_ban", "until": "<ISO time>",
 *   "until_s": <unix seconds>}`.
 * - `GET /metrics`: Prometheus text exposition 0.0.4.
 * - anything else: 404 (405 for a method other than GET/HEAD on a known path).
 *
 * Bodies are built by pure functions (testable without a socket); JSON bodies
 * are spelled as the reference's `json.dumps` spells them.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { errorMessage } from "../core/errors.js";
import { HaRole } from "./ha/ha-state.js";
import { PROMETHEUS_CONTENT_TYPE } from "./metrics/prometheus-registry.js";
import { pyJsonFloat, roundHalfEven } from "./metrics/py-format.js";

export const JSON_CONTENT_TYPE = "application/json";

export interface OpsEndpoints {
  /** Epoch milliseconds. */
  readonly clock: () => number;
  /** Epoch milliseconds at process start. */
  readonly startedAtMs: number;
  readonly role: () => HaRole;
  /** The `/metrics` body. */
  readonly metricsText: () => string | Promise<string>;
  /** The venue's write halt now, if any (live_trade). */
  readonly halt?: () => WriteHaltStatus | undefined;
}

/** A halt of the exchange writes, as /readyz reports it. */
export interface WriteHaltStatus {
  readonly reason: string;
  /** Epoch milliseconds. */
  readonly untilMs: number;
}

export interface OpsResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** `/healthz` body for an uptime in seconds (rounded to 2 places, half-even). */
export function buildHealthzBody(uptimeS: number): string {
  return `{"status": "ok", "uptime_s": ${pyJsonFloat(roundHalfEven(uptimeS, 2))}}`;
}

/** `/readyz` body and whether the instance is ready (ACTIVE); a write halt is named. */
export function buildReadyzBody(
  role: HaRole,
  halt?: WriteHaltStatus,
): { readonly body: string; readonly ready: boolean } {
  const ready = role === HaRole.ACTIVE;
  const halted =
    halt === undefined
      ? ""
      : `, "halted": {"reason": ${JSON.stringify(halt.reason)}, "until": ` +
        `"${new Date(halt.untilMs).toISOString()}", "until_s": ${Math.floor(halt.untilMs / 1000)}}`;
  return { body: `{"ready": ${ready ? "true" : "false"}, "role": "${role}"${halted}}`, ready };
}

const PATHS = new Set(["/healthz", "/readyz", "/metrics"]);

/**
 * The response to one request (pure apart from the endpoint callbacks); a
 * promise only for `/metrics` when its text comes asynchronously.
 */
export function routeOpsRequest(
  method: string,
  url: string,
  ep: OpsEndpoints,
): OpsResponse | Promise<OpsResponse> {
  const q = url.indexOf("?");
  const path = q >= 0 ? url.slice(0, q) : url;
  if (!PATHS.has(path))
    return { status: 404, contentType: "text/plain; charset=utf-8", body: "not found\n" };
  if (method !== "GET" && method !== "HEAD") {
    return {
      status: 405,
      contentType: "text/plain; charset=utf-8",
      body: "method not allowed\n",
      headers: { Allow: "GET, HEAD" },
    };
  }
  if (path === "/healthz") {
    const uptime = (ep.clock() - ep.startedAtMs) / 1000;
    return { status: 200, contentType: JSON_CONTENT_TYPE, body: buildHealthzBody(uptime) };
  }
  if (path === "/readyz") {
    const r = buildReadyzBody(ep.role(), ep.halt?.());
    return { status: r.ready ? 200 : 503, contentType: JSON_CONTENT_TYPE, body: r.body };
  }
  const text = ep.metricsText();
  const metrics = (body: string): OpsResponse => ({
    status: 200,
    contentType: PROMETHEUS_CONTENT_TYPE,
    body,
  });
  return typeof text === "string" ? metrics(text) : text.then(metrics);
}

export class OpsHttpServer {
  private readonly server: Server;
  private boundPort = 0;

  constructor(private readonly endpoints: OpsEndpoints) {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let r: OpsResponse;
    try {
      r = await routeOpsRequest(req.method ?? "GET", req.url ?? "/", this.endpoints);
    } catch (e) {
      r = {
        status: 500,
        contentType: "text/plain; charset=utf-8",
        body: `internal error: ${errorMessage(e)}\n`,
      };
    }
    const body = Buffer.from(r.body, "utf8");
    res.writeHead(r.status, {
      "Content-Type": r.contentType,
      "Content-Length": String(body.length),
      "Cache-Control": "no-store",
      ...r.headers,
    });
    res.end(req.method === "HEAD" ? undefined : body);
  }

  /** Start listening; resolves with the bound port (useful with port 0). */
  listen(port: number, host = "127.0.0.1"): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => reject(e);
      this.server.once("error", onError);
      this.server.listen(port, host, () => {
        this.server.off("error", onError);
        this.boundPort = (this.server.address() as AddressInfo).port;
        resolve(this.boundPort);
      });
    });
  }

  get port(): number {
    return this.boundPort;
  }

  get listening(): boolean {
    return this.server.listening;
  }

  /** Stop accepting, drop idle keep-alive connections, resolve once closed. */
  close(): Promise<void> {
    if (!this.server.listening) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.server.close((e) => (e ? reject(e) : resolve()));
      this.server.closeAllConnections();
    });
  }
}
