#!/usr/bin/env node
// No dead modules: every src/**/*.ts (tests excluded) must be reachable from an
// entry point through static imports and re-exports, dynamic import("./x.js"),
// or new URL("./x.js", import.meta.url) (worker and child-process entries).
// Entry points: src/cli/bin.ts and src/bench/main.ts; a module can also be
// spawned by file name (join(here, "bench-case.js")), so a "name.js" string
// literal naming a sibling module counts as an edge too.
//
// Usage: node scripts/check-reachable.mjs [ROOT]   (ROOT defaults to the cwd)
// Exit 0 when everything is reachable, 1 listing every unreachable module.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";

const root = resolve(process.argv[2] ?? ".");
const src = join(root, "src");
const ENTRIES = ["src/cli/bin.ts", "src/bench/main.ts"];

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith(".ts") && !name.endsWith(".test.ts") && !name.endsWith(".d.ts"))
      out.push(p);
  }
  return out;
}

/** Comments out, strings kept (import specifiers are strings). */
function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1");
}

const PATTERNS = [
  // import x from "./a.js"; import { x } from "./a.js"; export { x } from "./a.js"; export * from
  /\b(?:import|export)\b[^"'`;]*?\bfrom\s*["']([^"']+)["']/g,
  // import "./a.js" (side effect)
  /\bimport\s*["']([^"']+)["']/g,
  // import("./a.js")
  /\bimport\s*\(\s*["'`]([^"'`]+)["'`]\s*\)/g,
  // new URL("./a.js", import.meta.url)
  /\bnew\s+URL\s*\(\s*["'`]([^"'`]+)["'`]\s*,\s*import\.meta\.url/g,
];
// A bare "name.js" literal (a path joined to the module's own folder).
const SIBLING = /["'`]([A-Za-z0-9_.-]+\.js)["'`]/g;

function targetOf(from, spec) {
  if (!spec.startsWith(".")) return undefined;
  const p = resolve(dirname(from), spec).replace(/\.js$/, ".ts");
  return existsSync(p) ? p : undefined;
}

const files = walk(src, []);
const edges = new Map();
for (const f of files) {
  const text = stripComments(readFileSync(f, "utf8"));
  const out = new Set();
  for (const re of PATTERNS) {
    for (const m of text.matchAll(re)) {
      const t = targetOf(f, m[1]);
      if (t !== undefined) out.add(t);
    }
  }
  for (const m of text.matchAll(SIBLING)) {
    const t = targetOf(f, `./${m[1]}`);
    if (t !== undefined) out.add(t);
  }
  edges.set(f, out);
}

const missing = ENTRIES.filter((e) => !existsSync(join(root, e)));
if (missing.length > 0) {
  console.error(`check-reachable: entry point(s) not found: ${missing.join(", ")}`);
  process.exit(1);
}
const seen = new Set();
const stack = ENTRIES.map((e) => join(root, e));
while (stack.length > 0) {
  const f = stack.pop();
  if (seen.has(f)) continue;
  seen.add(f);
  for (const t of edges.get(f) ?? []) stack.push(t);
}

const dead = files
  .filter((f) => !seen.has(f))
  .map((f) => relative(root, f).split(sep).join("/"))
  .sort();
if (dead.length > 0) {
  console.error(
    `check-reachable: ${dead.length} module(s) not reachable from ${ENTRIES.join(" or ")}:`,
  );
  for (const d of dead) console.error(`  ${d}`);
  console.error(
    "Hint: delete a module nothing needs (and its tests); move one that only tests use to test/support/.",
  );
  process.exit(1);
}
console.log(`check-reachable: all ${files.length} modules reachable`);
