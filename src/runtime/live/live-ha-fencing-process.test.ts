/**
 * HA fencing with two real `grinder live --mode live_trade` processes on one
 * journal, a private redis-server and the local exchange. Each process talks
 * to the exchange through its own recording proxy, so every request is
 * attributed to the process that sent it.
 *
 * A becomes ACTIVE and places its first grid; its first placement is held by
 * its proxy (A waits inside its request loop). B starts as STANDBY. A is
 * frozen with SIGSTOP for longer than the lease TTL; B acquires the lease
 * (a higher fencing epoch), takes over and sends the journaled orders. The
 * held placement is then answered with a 429 (Retry-After 1 s) and A resumes
 * (SIGCONT): without fencing it would retry and send the rest of its batch.
 * It must send no write and append no journal line after B's acquisition,
 * become STANDBY and keep running; the journal stays valid.
 */

import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { rmSync } from "node:fs";
import {
  createServer,
  type IncomingMessage,
  request,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  armedEnv,
  journalLines,
  liveTradeArgs,
  makeTradeFixture,
  TEST_API_KEY,
  TEST_API_SECRET,
} from "../../../test/support/live-trade-testing.js";
import {
  BINANCE_ERRORS,
  LocalBinanceExchange,
} from "../../../test/support/local-binance-exchange.js";
import {
  freePort,
  RedisServerProcess,
  redisServerAvailable,
  waitFor,
} from "../../../test/support/redis-server-process.js";
import { skipUnless } from "../../../test/support/required-tool.js";
import { BIN, tempDir } from "../../../test/support/run-cli.js";

const TMP = tempDir("grinder-ha-fencing-");
type Obj = Record<string, unknown>;

interface Seen {
  readonly method: string;
  readonly path: string;
  readonly atMs: number;
}

/** A forwarding proxy in front of the local exchange that records every request. */
class RecordingProxy {
  readonly seen: Seen[] = [];
  /** The first order placement is held (not forwarded) until `answerHeld`. */
  holdFirstPlacement = false;
  private held: ServerResponse | undefined;
  private server: Server | undefined;

  constructor(private readonly target: string) {}

  async start(): Promise<string> {
    const server = createServer((req, res) => this.handle(req, res));
    this.server = server;
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  get holding(): boolean {
    return this.held !== undefined;
  }

  writesAfter(ms: number): Seen[] {
    return this.seen.filter((s) => s.atMs > ms && s.path === "/api/v3/order" && s.method !== "GET");
  }

  /** Answer the held placement as a rate limit would (the order was not placed). */
  answerHeld(): void {
    const res = this.held;
    this.held = undefined;
    res?.writeHead(429, { "content-type": "application/json", "retry-after": "1" });
    res?.end(JSON.stringify(BINANCE_ERRORS.tooMany));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? "/").split("?")[0] as string;
    const method = req.method ?? "GET";
    this.seen.push({ method, path, atMs: Date.now() });
    if (this.holdFirstPlacement && method === "POST" && path === "/api/v3/order") {
      this.holdFirstPlacement = false;
      this.held = res;
      req.resume();
      return;
    }
    const url = new URL(req.url ?? "/", this.target);
    const out = request(url, { method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on("error", () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(out);
  }

  async close(): Promise<void> {
    this.answerHeld();
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly out: string[];
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children: ChildProcess[] = [];

function startLive(name: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, [BIN, "live", ...args], {
    cwd: TMP,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  const out: string[] = [];
  let partial = "";
  const collect = (b: Buffer): void => {
    const lines = (partial + b.toString("utf8")).split("\n");
    partial = lines.pop() as string;
    out.push(...lines);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on("exit", (code, signal) => resolve({ code, signal })),
  );
  return { name, child, out, exit };
}

const logged = (p: Proc, re: RegExp): boolean => p.out.some((l) => re.test(l));

const journal = journalLines;

async function exitWithin(p: Proc, ms: number): Promise<{ code: number | null }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${p.name} did not exit within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([p.exit, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const HAVE_REDIS = redisServerAvailable();
let ex: LocalBinanceExchange;
let fx: { dir: string; cleanup: () => Promise<void> };
let redis: RedisServerProcess;
const proxies: RecordingProxy[] = [];

before(async () => {
  if (!HAVE_REDIS) return;
  ex = await LocalBinanceExchange.start({ apiKey: TEST_API_KEY, apiSecret: TEST_API_SECRET });
  // 2000 snapshots 250 ms apart at --speed 10: 50 s of feed, longer than the test.
  fx = await makeTradeFixture(2000, 250);
  redis = new RedisServerProcess(await freePort());
  await redis.start();
});

after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const p of proxies) await p.close();
  if (!HAVE_REDIS) return;
  await redis.stop();
  await ex.close();
  await fx.cleanup();
  rmSync(TMP, { recursive: true, force: true });
});

describe("HA fencing of two live_trade processes on one journal", {
  skip: skipUnless(HAVE_REDIS, "redis-server is not installed"),
}, () => {
  it("a leader frozen past its lease sends nothing and journals nothing after the successor's acquisition; both keep running", {
    timeout: 90_000,
  }, async () => {
    const path = join(TMP, "journal.jsonl");
    const proxyA = new RecordingProxy(ex.url);
    const proxyB = new RecordingProxy(ex.url);
    proxies.push(proxyA, proxyB);
    proxyA.holdFirstPlacement = true;
    const [urlA, urlB] = [await proxyA.start(), await proxyB.start()];
    const args = (restUrl: string): string[] => [
      ...liveTradeArgs(fx.dir, restUrl),
      "--poll-ms",
      "200",
      "--speed",
      "10",
      "--journal",
      path,
      "--metrics-port",
      "0",
    ];
    const env = (id: string): Record<string, string> =>
      armedEnv({
        GRINDER_HA_ENABLED: "true",
        GRINDER_REDIS_URL: redis.url,
        GRINDER_HA_LOCK_TTL_MS: "1500",
        GRINDER_HA_RENEW_INTERVAL_MS: "300",
        GRINDER_HA_INSTANCE_ID: id,
      });

    const a = startLive("A", args(urlA), env("fence-a"));
    await waitFor(() => proxyA.holding, 20_000, "A's first placement (held by its proxy)", 20);
    assert.ok(logged(a, /HA role changed: \w+ -> active/), a.out.join("\n"));
    const b = startLive("B", args(urlB), env("fence-b"));
    await waitFor(() => logged(b, /HA role changed: \w+ -> standby/), 20_000, "B STANDBY", 20);

    // Freeze A inside its request loop, longer than the TTL: B acquires and takes over.
    a.child.kill("SIGSTOP");
    await waitFor(
      () => logged(b, /trading: trading from the journal's state/),
      20_000,
      "B's takeover",
      20,
    );
    const acquiredAtMs = Date.now();
    const sessions = journal(path).filter((l) => l.type === "session");
    assert.equal(sessions.length, 2, "A's session, then B's");
    const [epochA, epochB] = sessions.map((s) => Number(s.epoch));
    assert.ok(
      (epochA as number) >= 1 && (epochB as number) > (epochA as number),
      `epochs ${epochA}, ${epochB}`,
    );
    const linesAtAcquisition = journal(path).length;

    // A's held placement is answered (a 429, nothing placed) and A resumes.
    proxyA.answerHeld();
    a.child.kill("SIGCONT");
    await waitFor(() => logged(a, /HA role changed: active -> standby/), 20_000, "A STANDBY", 20);
    await waitFor(() => logged(a, /stopped trading/), 20_000, "A stood down", 20);
    // Longer than the 429's Retry-After and a few polls: any retry or send would have happened.
    await new Promise((r) => setTimeout(r, 2500));

    assert.deepEqual(
      proxyA.writesAfter(acquiredAtMs),
      [],
      "A sent no order write after B's acquisition",
    );
    assert.ok(proxyB.writesAfter(acquiredAtMs - 60_000).length > 0, "B places the grid");
    assert.equal(a.child.exitCode, null, `A keeps running:\n${a.out.join("\n")}`);
    assert.equal(b.child.exitCode, null, `B keeps running:\n${b.out.join("\n")}`);
    assert.ok(!logged(a, /trading loop failed/), a.out.join("\n"));

    // The journal: nothing of A's epoch after B's session, epochs never go down, seq monotonic.
    const lines = journal(path);
    const bSession = lines.findIndex((l) => l.type === "session" && l.epoch === epochB);
    assert.ok(bSession >= 1 && bSession < linesAtAcquisition);
    for (const l of lines.slice(bSession))
      assert.equal(l.epoch, epochB, `after B's session: ${JSON.stringify(l).slice(0, 120)}`);
    for (let i = 1; i < lines.length; i++)
      assert.ok(Number(lines[i]?.epoch) >= Number(lines[i - 1]?.epoch), `epoch at line ${i + 1}`);
    const seqs = lines.filter((l) => l.type === "tick").map((l) => Number(l.seq));
    assert.deepEqual(
      seqs,
      seqs.map((_, i) => i + 1),
      "tick seq 1, 2, 3, ... without gaps or repeats",
    );

    // Both stop cleanly (A as STANDBY, B as ACTIVE).
    a.child.kill("SIGTERM");
    b.child.kill("SIGTERM");
    assert.equal((await exitWithin(a, 20_000)).code, 0, a.out.join("\n"));
    assert.equal((await exitWithin(b, 20_000)).code, 0, b.out.join("\n"));
    const end = journal(path).at(-1) as Obj;
    assert.equal(end.type, "session_end");
    assert.equal(end.epoch, epochB);
  });
});
