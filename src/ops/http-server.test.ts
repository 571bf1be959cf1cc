import assert from "node:assert/strict";
import { request } from "node:http";
import { describe, it } from "node:test";
import { HaRole } from "./ha/ha-state.js";
import {
  buildHealthzBody,
  buildReadyzBody,
  type OpsEndpoints,
  OpsHttpServer,
  type OpsResponse,
  routeOpsRequest,
} from "./http-server.js";

function endpoints(over: Partial<OpsEndpoints> = {}): OpsEndpoints {
  return {
    clock: () => 1_000 + 3_600_250,
    startedAtMs: 1_000,
    role: () => HaRole.UNKNOWN,
    metricsText: () => "# HELP grinder_up x\n# TYPE grinder_up gauge\ngrinder_up 1\n",
    ...over,
  };
}

/** routeOpsRequest with synchronous endpoints: the response itself. */
function routeSync(method: string, url: string, ep: OpsEndpoints): OpsResponse {
  const r = routeOpsRequest(method, url, ep);
  assert.ok(!(r instanceof Promise), "a synchronous response");
  return r;
}

describe("endpoint bodies", () => {
  it("/healthz spells uptime as Python's json.dumps(round(uptime, 2))", () => {
    assert.equal(buildHealthzBody(3600.25), '{"status": "ok", "uptime_s": 3600.25}');
    assert.equal(buildHealthzBody(12), '{"status": "ok", "uptime_s": 12.0}');
    assert.equal(buildHealthzBody(0.125), '{"status": "ok", "uptime_s": 0.12}');
    assert.equal(buildHealthzBody(1.005), '{"status": "ok", "uptime_s": 1.0}');
    assert.deepEqual(Object.keys(JSON.parse(buildHealthzBody(3))), ["status", "uptime_s"]);
  });

  it("/readyz is ready only when ACTIVE", () => {
    assert.deepEqual(buildReadyzBody(HaRole.ACTIVE), {
      body: '{"ready": true, "role": "active"}',
      ready: true,
    });
    assert.deepEqual(buildReadyzBody(HaRole.STANDBY), {
      body: '{"ready": false, "role": "standby"}',
      ready: false,
    });
    assert.deepEqual(buildReadyzBody(HaRole.UNKNOWN), {
      body: '{"ready": false, "role": "unknown"}',
      ready: false,
    });
  });

  it("/readyz names a halt of the exchange writes with its reason and end", () => {
    // 1_700_000_120_500 ms = 2023-11-14T22:15:20.500Z, unix second 1700000120.
    assert.deepEqual(
      buildReadyzBody(HaRole.ACTIVE, { reason: "ip_ban", untilMs: 1_700_000_120_500 }),
      {
        body:
          '{"ready": true, "role": "active", "halted": {"reason": "ip_ban", ' +
          '"until": "2023-11-14T22:15:20.500Z", "until_s": 1700000120}}',
        ready: true,
      },
    );
    const r = routeSync("GET", "/readyz", {
      ...endpoints(),
      halt: () => ({ reason: "rate_limit", untilMs: 1_700_000_003_000 }),
    });
    assert.deepEqual(JSON.parse(r.body).halted, {
      reason: "rate_limit",
      until: "2023-11-14T22:13:23.000Z",
      until_s: 1700000003,
    });
  });
});

describe("routeOpsRequest", () => {
  it("routes the three endpoints with their status codes and content types", () => {
    const h = routeSync("GET", "/healthz", endpoints());
    assert.deepEqual(
      [h.status, h.contentType, h.body],
      [200, "application/json", '{"status": "ok", "uptime_s": 3600.25}'],
    );
    let role: HaRole = HaRole.STANDBY;
    const ep = endpoints({ role: () => role });
    assert.equal(routeSync("GET", "/readyz", ep).status, 503);
    role = HaRole.UNKNOWN;
    assert.equal(routeSync("GET", "/readyz", ep).status, 503);
    role = HaRole.ACTIVE;
    const r = routeSync("GET", "/readyz", ep);
    assert.deepEqual([r.status, r.body], [200, '{"ready": true, "role": "active"}']);
    const m = routeSync("GET", "/metrics", ep);
    assert.equal(m.status, 200);
    assert.equal(m.contentType, "text/plain; version=0.0.4; charset=utf-8");
    assert.ok(m.body.includes("grinder_up 1\n"));
  });

  it("answers 404 for other paths, 405 for other methods, ignores a query string", () => {
    assert.equal(routeSync("GET", "/", endpoints()).status, 404);
    assert.equal(routeSync("GET", "/healthz/x", endpoints()).status, 404);
    assert.equal(routeSync("GET", "/HEALTHZ", endpoints()).status, 404);
    const p = routeSync("POST", "/metrics", endpoints());
    assert.equal(p.status, 405);
    assert.equal(p.headers?.Allow, "GET, HEAD");
    assert.equal(routeSync("GET", "/healthz?verbose=1", endpoints()).status, 200);
  });
});

function get(
  port: number,
  path: string,
  method = "GET",
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"]), body }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

describe("OpsHttpServer", () => {
  it("serves the endpoints over HTTP and closes cleanly with a kept-alive connection", async () => {
    let now = 10_000;
    let role: HaRole = HaRole.STANDBY;
    const server = new OpsHttpServer(
      endpoints({ clock: () => now, startedAtMs: 10_000, role: () => role }),
    );
    const port = await server.listen(0, "127.0.0.1");
    assert.ok(port > 0);
    assert.equal(server.port, port);
    try {
      now = 10_000 + 1_500;
      assert.deepEqual(await get(port, "/healthz"), {
        status: 200,
        type: "application/json",
        body: '{"status": "ok", "uptime_s": 1.5}',
      });
      assert.equal((await get(port, "/readyz")).status, 503);
      role = HaRole.ACTIVE;
      assert.deepEqual(await get(port, "/readyz"), {
        status: 200,
        type: "application/json",
        body: '{"ready": true, "role": "active"}',
      });
      const m = await get(port, "/metrics");
      assert.equal(m.type, "text/plain; version=0.0.4; charset=utf-8");
      assert.ok(m.body.endsWith("grinder_up 1\n"));
      assert.equal((await get(port, "/nope")).status, 404);
      const head = await get(port, "/metrics", "HEAD");
      assert.deepEqual([head.status, head.body], [200, ""]);
      // A keep-alive connection must not hold close() open.
      const keep = await fetch(`http://127.0.0.1:${port}/healthz`);
      assert.equal(keep.status, 200);
      await keep.text();
    } finally {
      await server.close();
    }
    assert.equal(server.listening, false);
    await assert.rejects(get(port, "/healthz"));
    await server.close(); // idempotent
  });

  it("answers 500 when building the metrics fails, and keeps serving", async () => {
    const server = new OpsHttpServer(
      endpoints({
        metricsText: () => {
          throw new Error("boom");
        },
      }),
    );
    const port = await server.listen(0, "127.0.0.1");
    try {
      const r = await get(port, "/metrics");
      assert.equal(r.status, 500);
      assert.match(r.body, /boom/);
      assert.equal((await get(port, "/healthz")).status, 200);
    } finally {
      await server.close();
    }
  });

  it("rejects listen on a port in use", async () => {
    const a = new OpsHttpServer(endpoints());
    const port = await a.listen(0, "127.0.0.1");
    const b = new OpsHttpServer(endpoints());
    try {
      await assert.rejects(b.listen(port, "127.0.0.1"), /EADDRINUSE/);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
