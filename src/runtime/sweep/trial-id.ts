/**
 * Trial ids: a SHA-256 over the code version, the input's identity and the
 * trial's resolved engine options. The same trial resubmitted (or submitted
 * by a restarted sweep) has the same id, so a queue reuses its result; any
 * change of code, data or options gives a new id.
 *
 * The input's identity is its files' contents, fingerprinted cheaply (path
 * relative to the data directory, size, and a hash of the first and last
 * MiB), with the spec's settings; absolute paths are left out, so the same
 * data under another directory is the same input. The code version hashes
 * the built JavaScript (dist/) once per process.
 */

import { createHash } from "node:crypto";
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { canonicalJson, type JsonValue } from "../../core/canonical-json.js";
import { type EngineOptions, optionsJson } from "../../kernel/kernel-options.js";
import type { DataRun } from "../backtest/data-run-spec.js";

const EDGE_BYTES = 1 << 20;

/** Fingerprints already taken in this process, by path, size and modification time. */
const fingerprints = new Map<string, string>();

/** size and a hash of the file's first and last MiB (cached while the file is unchanged). */
function fingerprint(path: string): string {
  const st = statSync(path);
  const key = `${path}\0${st.size}\0${st.mtimeMs}`;
  let fp = fingerprints.get(key);
  if (fp === undefined) {
    fp = readFingerprint(path, st.size);
    fingerprints.set(key, fp);
  }
  return fp;
}

function readFingerprint(path: string, size: number): string {
  const hash = createHash("sha256");
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(Math.min(EDGE_BYTES, size));
    readSync(fd, buf, 0, buf.length, 0);
    hash.update(buf);
    if (size > EDGE_BYTES) {
      const tail = Buffer.alloc(Math.min(EDGE_BYTES, size - EDGE_BYTES));
      readSync(fd, tail, 0, tail.length, size - tail.length);
      hash.update(tail);
    }
  } finally {
    closeSync(fd);
  }
  return `${size}:${hash.digest("hex").slice(0, 32)}`;
}

function filesIdentity(root: string, paths: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of [...paths].sort()) out[relative(root, p)] = fingerprint(p);
  return out;
}

/** The identity of a data run: its settings and every file it reads. */
export function dataIdentity(run: DataRun): JsonValue {
  const { spec, source } = run;
  const marks = [...(run.marks?.bySymbol.values() ?? [])].flat().map((s) => s.path);
  const side = (p: string | undefined): string | null => (p === undefined ? null : fingerprint(p));
  return {
    kind: spec.kind,
    symbols: [...source.symbols],
    from: spec.from,
    to: spec.to,
    market: spec.market ?? null,
    interval: spec.interval ?? null,
    half_spread_bps: spec.halfSpreadBps ?? null,
    depth_qty: spec.depthQty ?? null,
    on_bad_row: spec.onBadRow,
    exchange_info: side(spec.exchangeInfoPath),
    leverage_brackets: side(spec.leverageBracketsPath),
    files: filesIdentity(spec.dataDir, [
      ...source.files.map((f) => f.path),
      ...(run.funding?.files ?? []),
      ...new Set(marks),
    ]),
  };
}

/** The identity of a fixture: its files' fingerprints. */
export function fixtureIdentity(dir: string): JsonValue {
  const names = readdirSync(dir).filter((n) => statSync(join(dir, n)).isFile());
  return {
    fixture: filesIdentity(
      dir,
      names.map((n) => join(dir, n)),
    ),
  };
}

let cachedCodeVersion: string | undefined;

function jsFiles(dir: string, out: string[]): void {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) jsFiles(p, out);
    else if (e.name.endsWith(".js")) out.push(p);
  }
}

/** A hash of the built code (every .js under dist/), computed once per process. */
export function codeVersion(): string {
  if (cachedCodeVersion !== undefined) return cachedCodeVersion;
  // This file is dist/runtime/sweep/trial-id.js.
  const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
  const files: string[] = [];
  jsFiles(dist, files);
  const hash = createHash("sha256");
  for (const f of files.sort()) {
    hash.update(relative(dist, f));
    hash.update("\0");
    hash.update(readFileSync(f));
  }
  cachedCodeVersion = hash.digest("hex").slice(0, 16);
  return cachedCodeVersion;
}

/** The id of a trial with resolved `options` on the input of `inputIdentity`. */
export function trialId(inputIdentity: JsonValue, options: EngineOptions): string {
  const text = canonicalJson({
    code: codeVersion(),
    input: inputIdentity,
    options: optionsJson(options) as JsonValue,
  });
  return `t-${createHash("sha256").update(text).digest("hex").slice(0, 24)}`;
}
