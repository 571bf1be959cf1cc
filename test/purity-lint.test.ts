/**
 * The purity rules of biome.json, run through the real Biome binary: every
 * forbidden import, global and Math.random() is rejected in each pure folder
 * and accepted in an adapter folder and in a pure folder's tests.
 *
 * Biome 2.6's `lint --stdin-file-path` prints the (fixed) input but no
 * diagnostics, so the snippets are written as files into a temporary copy of
 * the configuration (biome.json and lint/) and linted there with the JSON
 * reporter.
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { REPO_ROOT, tempDir } from "./support/run-cli.js";

const PURE = [
  "core",
  "domain",
  "strategy",
  "strategy/selection",
  "risk",
  "kernel",
  "venues/reference",
  "venues/simulated",
];
const ADAPTERS = ["net", "data", "runtime/live"];

const IMPORTS = "lint/style/noRestrictedImports";
const GLOBALS = "lint/style/noRestrictedGlobals";
const PLUGIN = "plugin";
const PURITY = [IMPORTS, GLOBALS, PLUGIN];

/** Snippet -> the purity rule that must reject it in a pure folder. */
const CASES: readonly (readonly [string, string, string])[] = [
  ["fs", 'import fs from "fs";\nexport const x = fs;', IMPORTS],
  ["node-fs", 'import { readFileSync } from "node:fs";\nexport const x = readFileSync;', IMPORTS],
  ["ioredis", 'import { Redis } from "ioredis";\nexport const x = Redis;', IMPORTS],
  ["binance-pkg", 'import { Spot } from "@binance/connector";\nexport const x = Spot;', IMPORTS],
  [
    "adapter",
    'import { systemClock } from "../net/clock.js";\nexport const x = systemClock;',
    IMPORTS,
  ],
  [
    "deep-adapter",
    'import { x } from "../../venues/binance/endpoints.js";\nexport const y = x;',
    IMPORTS,
  ],
  ["performance", "export const x = performance.now();", GLOBALS],
  ["globalThis", "export const x = globalThis.crypto.randomUUID();", GLOBALS],
  ["crypto", "export const x = crypto.randomUUID();", GLOBALS],
  ["setImmediate", "setImmediate(() => {});", GLOBALS],
  ["setTimeout", "setTimeout(() => {}, 1);", GLOBALS],
  ["date-now", "export const x = Date.now();", GLOBALS],
  ["new-date", "export const x = new Date();", GLOBALS],
  ["process-env", "export const x = process.env.X;", GLOBALS],
  ["math-random", "export const x = Math.random();", PLUGIN],
];

/** Pure code that must pass: other Math functions, imports inside the core. */
const CLEAN =
  'import { Decimal } from "../core/decimal.js";\n' +
  "export const x = Math.floor(Math.max(1.5, Math.abs(-2)));\n" +
  "export const y = Decimal;";

interface Diagnostic {
  readonly category?: string;
  readonly location?: { readonly path?: string };
}

function lint(files: Record<string, string>): Map<string, string[]> {
  const dir = tempDir("grinder-purity-");
  cpSync(join(REPO_ROOT, "biome.json"), join(dir, "biome.json"));
  cpSync(join(REPO_ROOT, "lint"), join(dir, "lint"), { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), `${text}\n`);
  }
  const biome = join(REPO_ROOT, "node_modules", ".bin", "biome");
  const r = spawnSync(biome, ["lint", "--vcs-enabled=false", "--reporter=json", "src"], {
    cwd: dir,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.ok(r.stdout.trim().startsWith("{"), `biome printed no JSON report: ${r.stderr}`);
  const report = JSON.parse(r.stdout) as { diagnostics: Diagnostic[] };
  const byFile = new Map<string, string[]>();
  for (const d of report.diagnostics) {
    const path = d.location?.path ?? "";
    byFile.set(path, [...(byFile.get(path) ?? []), d.category ?? ""]);
  }
  return byFile;
}

test("biome rejects every forbidden import, global and Math.random() in each pure folder", () => {
  const files: Record<string, string> = {};
  for (const folder of [...PURE, ...ADAPTERS]) {
    for (const [name, text] of CASES) files[`src/${folder}/probe-${name}.ts`] = text;
    files[`src/${folder}/probe-clean.ts`] = CLEAN;
  }
  // A pure folder's tests may use the clock and I/O.
  for (const [name, text] of CASES) files[`src/kernel/probe-${name}.test.ts`] = text;
  const found = lint(files);

  const problems: string[] = [];
  for (const folder of PURE) {
    for (const [name, , rule] of CASES) {
      const path = `src/${folder}/probe-${name}.ts`;
      if (!(found.get(path) ?? []).includes(rule))
        problems.push(`${path}: not rejected by ${rule}`);
    }
  }
  const purityHits = (path: string): string[] =>
    (found.get(path) ?? []).filter((c) => PURITY.includes(c));
  for (const path of Object.keys(files)) {
    const pure = PURE.some((f) => path.startsWith(`src/${f}/probe-`)) && !path.endsWith(".test.ts");
    if (pure && !path.endsWith("-clean.ts")) continue;
    const hits = purityHits(path);
    if (hits.length > 0) problems.push(`${path}: wrongly rejected by ${hits.join(", ")}`);
  }
  assert.deepEqual(problems, []);
});
