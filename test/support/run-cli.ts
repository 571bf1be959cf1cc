/** Test helpers: run the real `grinder` binary, make temp dirs. */

import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../src/runtime/project-paths.js";

export const REPO_ROOT = PROJECT_ROOT;
export const BIN = join(REPO_ROOT, "dist", "cli", "bin.js");

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `grinder ARGS` as a child process from the repo root. */
export function runCli(args: readonly string[], env: Record<string, string> = {}): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix = "grinder-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
