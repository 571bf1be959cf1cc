/**
 * A throwaway redis-server for tests: its own free port on 127.0.0.1, no
 * persistence, started and killed by the test (never the shared instance).
 */

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";

/** True when a `redis-server` binary is on PATH. */
export function redisServerAvailable(): boolean {
  const r = spawnSync("redis-server", ["--version"], { stdio: "ignore" });
  return r.status === 0;
}

/** A TCP port that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      const port = typeof addr === "object" && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export class RedisServerProcess {
  readonly port: number;
  private child: ChildProcess | null = null;

  constructor(port: number) {
    this.port = port;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}/0`;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Spawn and wait (at most `timeoutMs`) until it accepts connections. */
  start(timeoutMs = 10_000): Promise<void> {
    if (this.child !== null) return Promise.resolve();
    const child = spawn(
      "redis-server",
      ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    this.child = child;
    return new Promise<void>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(`redis-server on port ${this.port} not ready after ${timeoutMs} ms: ${out}`),
        );
      }, timeoutMs);
      const onData = (b: Buffer): void => {
        out += b.toString("utf8");
        if (out.includes("Ready to accept connections")) {
          cleanup();
          resolve();
        }
      };
      const onExit = (code: number | null): void => {
        cleanup();
        this.child = null;
        reject(new Error(`redis-server exited early (code ${code}): ${out}`));
      };
      const cleanup = (): void => {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        child.off("exit", onExit);
        child.stdout?.resume();
        child.stderr?.resume();
      };
      child.stdout?.on("data", onData);
      child.stderr?.on("data", (b: Buffer) => {
        out += b.toString("utf8");
      });
      child.on("exit", onExit);
    });
  }

  /** Kill it (SIGKILL: no goodbye to clients) and wait for the exit, at most `timeoutMs`. */
  stop(timeoutMs = 5_000): Promise<void> {
    const child = this.child;
    if (child === null) return Promise.resolve();
    this.child = null;
    if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill("SIGKILL");
    });
  }
}

/** Poll `cond` every `stepMs` until true; reject after `timeoutMs`. */
export async function waitFor(
  cond: () => boolean,
  timeoutMs: number,
  what: string,
  stepMs = 5,
): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (cond()) return Date.now() - start;
    if (Date.now() - start > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
