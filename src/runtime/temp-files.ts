/**
 * Temp and part files of runs in progress (`OUT.tmp-PID`, `OUT.outputs-PID`):
 * registered while they exist, removed when the process is stopped by SIGINT
 * or SIGTERM (then it exits 130 or 143), and found again by a later run when
 * a process died without cleaning up (SIGKILL, power loss): a file whose PID
 * is no longer running is stale and removed.
 */

import { readdirSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";

const live = new Set<string>();
let installed = false;

const EXIT: Record<"SIGINT" | "SIGTERM", number> = { SIGINT: 130, SIGTERM: 143 };

/** Remove every registered temp file now (returns how many were removed). */
export function removeTempFiles(): number {
  let n = 0;
  for (const p of live) {
    if (statSync(p, { throwIfNoEntry: false }) === undefined) continue;
    rmSync(p, { force: true });
    n++;
  }
  live.clear();
  return n;
}

function onSignal(signal: "SIGINT" | "SIGTERM"): void {
  // Another handler (a graceful stop: backtest --data, grinder live) owns the exit.
  if (process.listenerCount(signal) > 1) return;
  const n = removeTempFiles();
  process.stderr.write(
    `\ninterrupted (${signal})${n > 0 ? `: removed ${n} temp file(s) of this run` : ""}\n`,
  );
  process.exit(EXIT[signal]);
}

/** Track `path` until `releaseTempFile`; the first call installs the signal handlers. */
export function registerTempFile(path: string): void {
  live.add(path);
  if (installed) return;
  installed = true;
  // First in line, so that it sees whether another handler will take the signal.
  process.prependListener("SIGINT", () => onSignal("SIGINT"));
  process.prependListener("SIGTERM", () => onSignal("SIGTERM"));
}

export function releaseTempFile(path: string): void {
  live.delete(path);
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Remove temp and part files of `path` (`path.tmp-PID`, `path.outputs-PID`)
 * left by processes that are no longer running; returns the removed paths.
 */
export function removeStaleTempFiles(path: string): string[] {
  const dir = dirname(path);
  const base = basename(path);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    if (!name.startsWith(`${base}.`)) continue;
    const m = /^\.(?:tmp|outputs)-(\d+)$/.exec(name.slice(base.length));
    if (m === null || isRunning(Number(m[1]))) continue;
    const p = join(dir, name);
    if (!(statSync(p, { throwIfNoEntry: false })?.isFile() ?? false)) continue;
    rmSync(p, { force: true });
    removed.push(p);
  }
  return removed;
}
