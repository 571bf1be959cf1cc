import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { FetchHttpClient, RedirectRefusedError } from "./http-client.js";

function listen(
  handler: Parameters<typeof createServer>[1],
): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}` });
    });
  });
}

describe("FetchHttpClient never follows redirects", () => {
  let target: { server: Server; url: string };
  let redirector: { server: Server; url: string };
  const seenByTarget: string[] = [];

  before(async () => {
    target = await listen((req, res) => {
      seenByTarget.push(`${req.method} ${req.url} key=${req.headers["x-mbx-apikey"] ?? ""}`);
      res.end("{}");
    });
    redirector = await listen((_req, res) => {
      res.writeHead(307, { location: `${target.url}/api/v3/order` });
      res.end();
    });
  });

  after(() => {
    target.server.close();
    redirector.server.close();
  });

  for (const method of ["POST", "DELETE", "GET"] as const) {
    test(`a ${method} answered by a 307 fails, naming the target, and nothing reaches it`, async () => {
      const client = new FetchHttpClient();
      await assert.rejects(
        client.request({
          method,
          url: `${redirector.url}/api/v3/order?signature=abc`,
          headers: { "X-MBX-APIKEY": "k".repeat(64) },
          timeoutMs: 2000,
          op: "place",
        }),
        (e: unknown) =>
          e instanceof RedirectRefusedError &&
          e.retryable === false &&
          e.message.includes(`redirect to ${target.url}/api/v3/order refused`),
      );
      assert.deepEqual(seenByTarget, []);
    });
  }
});
