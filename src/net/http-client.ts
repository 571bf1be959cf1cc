/** Minimal HTTP client contract of the REST port, and its Node `fetch` implementation. */

import { errorMessage } from "../core/errors.js";
import { ConnectorNonRetryableError } from "./errors/connector-non-retryable-error.js";
import { ConnectorTimeoutError } from "./errors/connector-timeout-error.js";
import { ConnectorTransientError } from "./errors/connector-transient-error.js";

export type HttpMethod = "GET" | "POST" | "DELETE" | "PUT";

export interface HttpRequest {
  readonly method: HttpMethod;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Deadline for the whole exchange (headers and body); 0 = none. */
  readonly timeoutMs: number;
  /** Operation name for errors ("place", "cancel", "open_orders", "time"...). */
  readonly op: string;
}

export interface HttpResponse {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly bodyText: string;
}

export interface HttpClient {
  /**
   * Perform a request. Any HTTP status resolves; a missed deadline rejects
   * with ConnectorTimeoutError(op), a network failure with ConnectorTransientError.
   */
  request(req: HttpRequest): Promise<HttpResponse>;
}

type FetchFn = typeof fetch;

/** A server answered with a redirect, which the client never follows. */
export class RedirectRefusedError extends ConnectorNonRetryableError {
  constructor(op: string, status: number, target: string) {
    super(`${op}: HTTP ${status} redirect to ${target} refused (requests never follow redirects)`, {
      httpStatus: status,
    });
  }
}

/** HttpClient over the global `fetch` (undici) with an AbortController deadline. */
export class FetchHttpClient implements HttpClient {
  constructor(private readonly fetchFn: FetchFn = fetch) {}

  async request(req: HttpRequest): Promise<HttpResponse> {
    const controller = new AbortController();
    let timedOut = false;
    const timer =
      req.timeoutMs > 0
        ? setTimeout(() => {
            timedOut = true;
            controller.abort();
          }, req.timeoutMs)
        : undefined;
    try {
      const res = await this.fetchFn(req.url, {
        method: req.method,
        headers: req.headers ? { ...req.headers } : undefined,
        body: req.body,
        signal: controller.signal,
        // Never follow a redirect: a signed request (and its API key header)
        // must go to the allowlisted host it was made for and nowhere else.
        redirect: "manual",
      });
      if (res.status >= 300 && res.status < 400) {
        await res.body?.cancel();
        const target = res.headers.get("location") ?? "(no Location header)";
        throw new RedirectRefusedError(req.op, res.status, target);
      }
      const bodyText = await res.text();
      const headers: Record<string, string> = {};
      res.headers.forEach((v, k) => {
        headers[k.toLowerCase()] = v;
      });
      return { status: res.status, headers, bodyText };
    } catch (e) {
      if (e instanceof RedirectRefusedError) throw e;
      if (timedOut) throw new ConnectorTimeoutError(req.op, req.timeoutMs);
      const cause = (e as { cause?: unknown }).cause;
      const detail =
        cause !== undefined ? `${errorMessage(e)} (${errorMessage(cause)})` : errorMessage(e);
      throw new ConnectorTransientError(`network error during ${req.op}: ${detail}`, { cause: e });
    } finally {
      clearTimeout(timer);
    }
  }
}
