/** Static import scanning of TypeScript sources (for layering rules). */

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

const IMPORT =
  /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'"`;]*?\sfrom\s+)?["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)/g;

/** Module specifiers imported (statically or dynamically) by a source text; comments ignored. */
export function importSpecifiers(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const out: string[] = [];
  for (const m of code.matchAll(IMPORT)) out.push((m[1] ?? m[2]) as string);
  return out;
}

/** Every .ts file reachable from `entry` through relative imports (entry included). */
export function transitiveImports(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const stack = [resolve(entry)];
  while (stack.length > 0) {
    const file = stack.pop() as string;
    if (seen.has(file)) continue;
    const specs = importSpecifiers(readFileSync(file, "utf8"));
    seen.set(file, specs);
    for (const s of specs) {
      if (!s.startsWith(".")) continue;
      const target = resolve(dirname(file), s.replace(/\.js$/, ".ts"));
      if (existsSync(target)) stack.push(target);
    }
  }
  return seen;
}

/** The TypeScript sources below `dir` (test files left out). */
export function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (name.endsWith(".ts") && !name.endsWith(".test.ts")) out.push(p);
  }
  return out;
}
