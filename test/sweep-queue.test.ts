/**
 * A sweep through BullMQ on a real redis-server started here: two `grinder
 * worker` processes, one SIGKILLed in the middle of a trial. Every trial is
 * completed exactly once (the killed worker's trial is taken over after its
 * lock lapses), the CSV equals a local sweep's, and a resubmitted sweep
 * reuses every result.
 */

import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { BTC, ETH, writeBookTicker } from "./support/binance-dumps.js";
import {
  freePort,
  RedisServerProcess,
  redisServerAvailable,
  waitFor,
} from "./support/redis-server-process.js";
import { skipUnless } from "./support/required-tool.js";
import { BIN, REPO_ROOT, runCli, tempDir } from "./support/run-cli.js";

const SKIP = skipUnless(redisServerAvailable(), "redis-server is not installed");

interface Proc {
  readonly child: ChildProcess;
  out: string;
  readonly exited: Promise<number | null>;
}

function start(args: readonly string[]): Proc {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const p: Proc = {
    child,
    out: "",
    exited: new Promise((resolve) => child.once("exit", (code) => resolve(code))),
  };
  child.stdout?.on("data", (b: Buffer) => {
    p.out += b.toString("utf8");
  });
  child.stderr?.on("data", (b: Buffer) => {
    p.out += b.toString("utf8");
  });
  return p;
}

function trialLines(out: string, event: string): string[] {
  return [...out.matchAll(new RegExp(`^trial (t-[0-9a-f]+) ${event}$`, "gm"))].map(
    (m) => m[1] as string,
  );
}

describe("grinder sweep --queue with grinder worker", { skip: SKIP }, () => {
  let redis: RedisServerProcess;
  const procs: Proc[] = [];
  const data = tempDir("grinder-sweep-queue-");
  for (const [i, d] of ["2026-03-01", "2026-03-02"].entries()) {
    writeBookTicker(data, BTC, d, 2500, 41 + i);
    writeBookTicker(data, ETH, d, 2500, 51 + i);
  }
  const dataArgs = [
    "sweep",
    "--data",
    data,
    "--symbols",
    "BTCUSDT,ETHUSDT",
    "--from",
    "2026-03-01",
    "--to",
    "2026-03-02",
  ];
  const sweepArgs = [...dataArgs, "--grid", "spacing_bps=5,10,20", "--grid", "levels=2,4"];

  before(async () => {
    redis = new RedisServerProcess(await freePort());
    await redis.start();
  });

  after(async () => {
    for (const p of procs) p.child.kill("SIGKILL");
    await Promise.all(procs.map((p) => p.exited));
    await redis.stop();
  });

  test("a worker killed mid-trial loses nothing; results equal a local sweep's; resubmission reuses them", async () => {
    const dir = tempDir();
    const worker = (): Proc => {
      const p = start(["worker", "--queue", redis.url, "--lock-ms", "2000"]);
      procs.push(p);
      return p;
    };
    const a = worker();
    const b = worker();
    await waitFor(
      () => /worker ready/.test(a.out) && /worker ready/.test(b.out),
      20_000,
      "workers",
    );
    const queued = join(dir, "queued.csv");
    const submitter = start([...sweepArgs, "--queue", redis.url, "--out", queued]);
    procs.push(submitter);
    await waitFor(() => trialLines(a.out, "start").length > 0, 60_000, "worker A to start a trial");
    a.child.kill("SIGKILL");
    await a.exited;
    const killedIn = trialLines(a.out, "start").filter(
      (id) => !trialLines(a.out, "done").includes(id),
    );
    assert.equal(killedIn.length, 1, a.out);
    const code = await Promise.race([
      submitter.exited,
      new Promise<string>((r) => setTimeout(() => r("timeout"), 120_000).unref()),
    ]);
    assert.equal(code, 0, submitter.out + b.out);

    const done = [...trialLines(a.out, "done"), ...trialLines(b.out, "done")];
    assert.equal(done.length, 6, `every trial done once: ${done.join(" ")}`);
    assert.equal(new Set(done).size, 6);
    assert.ok(trialLines(b.out, "done").includes(killedIn[0] as string), "taken over by B");

    const local = join(dir, "local.csv");
    const l = runCli([...sweepArgs, "--jobs", "1", "--out", local]);
    assert.equal(l.code, 0, l.stdout + l.stderr);
    assert.equal(readFileSync(queued, "utf8"), readFileSync(local, "utf8"));

    const again = join(dir, "again.csv");
    const r = runCli([...sweepArgs, "--queue", redis.url, "--out", again]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /Reused 6 trial result\(s\) already in the queue/);
    assert.equal(readFileSync(again, "utf8"), readFileSync(local, "utf8"));
    assert.equal(trialLines(b.out, "done").length + trialLines(a.out, "done").length, 6);
  });

  test("a submitter killed mid-sweep and started again loses nothing and reruns nothing", async () => {
    const dir = tempDir();
    const queueArgs = ["--queue", redis.url, "--queue-name", "restart-test"];
    const w = start(["worker", ...queueArgs, "--lock-ms", "2000"]);
    procs.push(w);
    await waitFor(() => /worker ready/.test(w.out), 20_000, "worker");
    const grid = ["--grid", "spacing_bps=5,10,20", "--grid", "levels=3"];
    const first = start([...dataArgs, ...grid, ...queueArgs]);
    procs.push(first);
    await waitFor(() => trialLines(w.out, "done").length > 0, 60_000, "a first trial done");
    first.child.kill("SIGKILL");
    await first.exited;
    const out = join(dir, "restarted.csv");
    const again = runCli([...dataArgs, ...grid, ...queueArgs, "--out", out]);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /Reused [1-3] trial result\(s\)/);
    // The worker's output of the last trial may still be in the pipe (runCli blocked this loop).
    await waitFor(() => trialLines(w.out, "done").length >= 3, 10_000, "the worker's log");
    const done = trialLines(w.out, "done");
    assert.equal(done.length, 3, w.out);
    assert.equal(new Set(done).size, 3);
    const local = join(dir, "local.csv");
    const l = runCli([...dataArgs, ...grid, "--jobs", "1", "--out", local]);
    assert.equal(l.code, 0, l.stdout + l.stderr);
    assert.equal(readFileSync(out, "utf8"), readFileSync(local, "utf8"));
  });
});

describe("an unreachable queue", () => {
  test("grinder worker and grinder sweep --queue fail at once, naming the Redis and why", async () => {
    const url = `redis://127.0.0.1:${await freePort()}`;
    const w = runCli(["worker", "--queue", url]);
    assert.equal(w.code, 1, w.stdout + w.stderr);
    assert.match(w.stderr, new RegExp(`cannot reach the queue's Redis at ${url}.*ECONNREFUSED`));
    const data = tempDir();
    writeBookTicker(data, BTC, "2026-03-01", 50, 1);
    const out = join(tempDir(), "never.csv");
    const s = runCli([
      "sweep",
      "--data",
      data,
      "--symbols",
      "BTCUSDT",
      "--from",
      "2026-03-01",
      "--to",
      "2026-03-01",
      "--grid",
      "levels=2,3",
      "--queue",
      url,
      "--out",
      out,
    ]);
    assert.equal(s.code, 1, s.stdout + s.stderr);
    assert.match(s.stderr, /cannot reach the queue's Redis at .*ECONNREFUSED/);
    assert.equal(existsSync(out), false);
  });
});
