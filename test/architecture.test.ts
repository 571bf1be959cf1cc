/**
 * Backstop of the import rules (docs/ARCHITECTURE.md). Biome enforces purity
 * (biome.json overrides, lint/no-math-random.grit; test/purity-lint.test.ts);
 * this test also checks the direction of imports between the pure folders,
 * which Biome does not, and fails when a folder the rules name is missing.
 */

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { test } from "node:test";
import { sourceFiles } from "./support/import-scan.js";
import { REPO_ROOT } from "./support/run-cli.js";

/** Packages the core may use: pure computation, no I/O (zod: option schemas). */
const PURE_PACKAGES = new Set(["zod"]);

/**
 * The deterministic core: no I/O, no wall clock, no randomness. Each folder
 * may import only the folders listed (itself included). Keep in step with
 * the table in docs/ARCHITECTURE.md.
 */
const PURE_RULES: Readonly<Record<string, readonly string[]>> = {
  core: ["core"],
  domain: ["core", "domain"],
  strategy: ["core", "domain", "strategy"],
  risk: ["core", "domain", "strategy", "risk"],
  "venues/reference": ["core", "domain", "venues/reference"],
  "venues/simulated": ["core", "domain", "venues/reference", "venues/simulated"],
  kernel: ["core", "domain", "strategy", "risk", "venues/reference", "venues/simulated", "kernel"],
};
/** Named in the rules but not written yet (the kernel rewrite adds it); checked once it exists. */
const PLANNED = ["venues/simulated"];

/** Adapter folders (I/O, clock, network); the core imports none of them. */
const ADAPTERS = [
  "data",
  "net",
  "venues/binance",
  "venues/common",
  "runtime",
  "ops",
  "cli",
  "argv",
  "report",
  "bench",
];

const SRC = join(REPO_ROOT, "src");

/** The folder of the rules (or adapter list) that holds `file`, e.g. "venues/reference". */
function folderOf(file: string): string | undefined {
  const rel = relative(SRC, file).split(sep).join("/");
  const all = [...Object.keys(PURE_RULES), ...ADAPTERS].sort((a, b) => b.length - a.length);
  return all.find((f) => rel.startsWith(`${f}/`));
}

test("every folder the import rules name exists (a renamed folder must update the rules)", () => {
  const missing = [...Object.keys(PURE_RULES), ...ADAPTERS].filter(
    (f) => !PLANNED.includes(f) && !existsSync(join(SRC, f)),
  );
  assert.deepEqual(missing, []);
});

test("the deterministic core imports only what the rules allow, no I/O, clock or randomness", () => {
  const problems: string[] = [];
  for (const [folder, allowed] of Object.entries(PURE_RULES)) {
    const dir = join(SRC, folder);
    if (PLANNED.includes(folder) && !existsSync(dir)) continue;
    for (const file of sourceFiles(dir)) {
      const text = readFileSync(file, "utf8");
      const rel = relative(SRC, file);
      for (const m of text.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)) {
        const spec = m[1] as string;
        if (!spec.startsWith(".")) {
          if (!PURE_PACKAGES.has(spec)) problems.push(`${rel}: imports package ${spec}`);
          continue;
        }
        const target = folderOf(resolve(dirname(file), spec));
        if (target === undefined)
          problems.push(`${rel}: imports ${spec} outside the known folders`);
        else if (!allowed.includes(target))
          problems.push(`${rel}: ${folder} may not import ${target} (${spec})`);
      }
      const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
      for (const banned of [
        "Date.now",
        "new Date(",
        "Math.random",
        "performance.now",
        "setTimeout",
        "setInterval",
        "setImmediate",
        "process.",
      ]) {
        if (code.includes(banned)) problems.push(`${rel}: uses ${banned}`);
      }
    }
  }
  assert.deepEqual(problems, []);
});
