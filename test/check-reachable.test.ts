import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { appendFileSync, cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { REPO_ROOT, tempDir } from "./support/run-cli.js";

const SCRIPT = join(REPO_ROOT, "scripts", "check-reachable.mjs");

function check(root: string): { code: number; out: string } {
  const r = spawnSync(process.execPath, [SCRIPT, root], { encoding: "utf8" });
  return { code: r.status ?? -1, out: r.stdout + r.stderr };
}

test("the repository has no unreachable module", () => {
  const r = check(REPO_ROOT);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /all \d+ modules reachable/);
});

test("an orphan module fails the check by name; dynamic imports and worker URLs count as edges", () => {
  const root = tempDir("grinder-reach-");
  cpSync(join(REPO_ROOT, "src"), join(root, "src"), { recursive: true });
  writeFileSync(join(root, "src", "data", "orphan.ts"), "export const orphan = 1;\n");
  writeFileSync(join(root, "src", "net", "dyn-import.ts"), "export const d = 1;\n");
  writeFileSync(join(root, "src", "net", "worker-entry.ts"), "export const w = 1;\n");
  // A test file importing the orphan does not make it reachable.
  writeFileSync(join(root, "src", "data", "orphan.test.ts"), 'import "./orphan.js";\n');
  appendFileSync(
    join(root, "src", "cli", "bin.ts"),
    '\nexport const lazy = () => import("../net/dyn-import.js");\n' +
      'export const worker = new URL("../net/worker-entry.js", import.meta.url);\n',
  );
  const r = check(root);
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /1 module\(s\) not reachable/);
  assert.match(r.out, /^ {2}src\/data\/orphan\.ts$/m);
  assert.doesNotMatch(r.out, /dyn-import|worker-entry/);
  assert.match(r.out, /Hint: /);
});
