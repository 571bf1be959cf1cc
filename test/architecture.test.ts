import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { sourceFiles } from "./support/import-scan.js";
import { REPO_ROOT } from "./support/run-cli.js";

/** Folders of the deterministic core: no I/O, no wall clock, no randomness. */
const PURE = [
  "core",
  "domain",
  "strategy",
  "risk",
  "kernel",
  "venues/reference",
  "venues/simulated",
];
/** Adapter folders the core must never import. */
const ADAPTERS = [
  "data",
  "net",
  "venues/binance",
  "venues/common",
  "runtime",
  "ops",
  "cli",
  "report",
  "tools",
];

test("the deterministic core imports no adapter and no I/O, clock or randomness", () => {
  const problems: string[] = [];
  const src = join(REPO_ROOT, "src");
  for (const folder of PURE) {
    let files: string[];
    try {
      files = sourceFiles(join(src, folder));
    } catch {
      continue;
    }
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      const rel = relative(src, file);
      for (const m of text.matchAll(/from\s+"([^"]+)"/g)) {
        const spec = m[1] as string;
        if (spec.startsWith("node:") && spec !== "node:crypto")
          problems.push(`${rel}: imports ${spec}`);
        for (const a of ADAPTERS) {
          if (spec.includes(`/${a}/`)) problems.push(`${rel}: imports adapter ${spec}`);
        }
      }
      const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
      for (const banned of [
        "Date.now",
        "new Date(",
        "Math.random",
        "setTimeout",
        "setInterval",
        "process.",
      ]) {
        if (code.includes(banned)) problems.push(`${rel}: uses ${banned}`);
      }
    }
  }
  assert.deepEqual(problems, []);
});
