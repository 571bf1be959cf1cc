/**
 * What ships (`dist/`, the `files` of package.json, the Docker image's COPY
 * of dist/) holds no test, no test support and no planted test key: the
 * build compiles `src/` without `*.test.ts`, and test support lives in test/.
 */

import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { REPO_ROOT } from "./support/run-cli.js";

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else out.push(p);
  }
  return out;
}

test("dist/ holds no tests and nothing of test/support", () => {
  const dist = join(REPO_ROOT, "dist");
  const shipped = files(dist).map((f) => relative(dist, f));
  assert.ok(shipped.includes(join("cli", "bin.js")), "dist/ is built");
  assert.deepEqual(
    shipped.filter((f) => /\.test\.js(\.map)?$/.test(f) || f.startsWith("test")),
    [],
  );
  const supportNames = readdirSync(join(REPO_ROOT, "test", "support"))
    .filter((n) => n.endsWith(".ts"))
    .map((n) => n.replace(/\.ts$/, ""));
  const leaks: string[] = [];
  for (const f of shipped.filter((x) => x.endsWith(".js"))) {
    const text = readFileSync(join(dist, f), "utf8");
    for (const m of text.matchAll(/from "([^"]+)"/g)) {
      const spec = m[1] as string;
      if (spec.includes("test/support/") || supportNames.some((n) => spec.endsWith(`/${n}.js`)))
        leaks.push(`${f} imports ${spec}`);
    }
    // The test keys of the local exchange and the CLI tests are 64 repeated characters.
    if (/["'`]([a-zA-Z0-9])\1{63}["'`]/.test(text)) leaks.push(`${f} holds a planted 64-char key`);
  }
  assert.deepEqual(leaks, []);
});
