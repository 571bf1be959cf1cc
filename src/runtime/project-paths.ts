/** Paths inside the installed project (independent of the working directory). */

import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The nearest folder at or above `start` that holds a package.json. */
export function findProjectRoot(start: string): string {
  let dir = resolve(start);
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${start}`);
    dir = up;
  }
  return dir;
}

/** The project root (dist/ and the test build live under it). */
export const PROJECT_ROOT = findProjectRoot(dirname(fileURLToPath(import.meta.url)));

/** The fixtures shipped with the project. */
export const PROJECT_FIXTURES = join(PROJECT_ROOT, "fixtures");

/** Fixture directories under `root` (any depth), sorted by path. */
export function discoverFixtures(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    if (existsSync(join(dir, "events.jsonl")) || existsSync(join(dir, "events.json"))) {
      out.push(dir);
      return;
    }
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
    }
  };
  if (existsSync(root)) walk(root);
  return out.sort();
}
