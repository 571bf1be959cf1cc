import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { COMMANDS } from "../src/cli/registry.js";
import { REPO_ROOT } from "./support/run-cli.js";

function markdownFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...markdownFiles(p));
    else if (name.endsWith(".md")) out.push(p);
  }
  return out;
}

/** Code in a markdown file: fenced blocks and inline `spans`. */
function codeOf(text: string): string[] {
  const out: string[] = [];
  const fenced = text.split("```");
  fenced.forEach((part, i) => {
    if (i % 2 === 1) out.push(part);
    else for (const m of part.matchAll(/`([^`\n]+)`/g)) out.push(m[1] as string);
  });
  return out;
}

test("every grinder command the docs show exists", () => {
  const names = new Set(COMMANDS.map((c) => c.name));
  const files = [join(REPO_ROOT, "README.md"), ...markdownFiles(join(REPO_ROOT, "docs"))];
  const unknown: string[] = [];
  let seen = 0;
  for (const file of files) {
    for (const raw of codeOf(readFileSync(file, "utf8"))) {
      // Shell comments are prose, not commands.
      const code = raw.replace(/(^|\s)#.*$/gm, "$1");
      for (const m of code.matchAll(
        /(?:^|[\s(;&|])(?:npx grinder|grinder|node dist\/cli\/bin\.js) ([a-z][a-z-]*)(?: ([a-z][a-z-]*))?/gm,
      )) {
        const one = m[1] as string;
        const two = m[2] !== undefined ? `${one} ${m[2]}` : undefined;
        seen++;
        if (!names.has(one) && !(two !== undefined && names.has(two))) {
          unknown.push(`${relative(REPO_ROOT, file)}: grinder ${two ?? one}`);
        }
      }
    }
  }
  assert.ok(seen > 30, `only ${seen} command mentions found`);
  assert.deepEqual(unknown, []);
});

test("every npm script the docs show exists", () => {
  const scripts = (
    JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
    }
  ).scripts;
  const files = [join(REPO_ROOT, "README.md"), ...markdownFiles(join(REPO_ROOT, "docs"))];
  const unknown: string[] = [];
  let seen = 0;
  for (const file of files) {
    for (const code of codeOf(readFileSync(file, "utf8"))) {
      for (const m of code.matchAll(/(?:^|[\s(;&|])npm run ([a-z][a-z:-]*)/gm)) {
        seen++;
        if (!Object.hasOwn(scripts, m[1] as string))
          unknown.push(`${relative(REPO_ROOT, file)}: npm run ${m[1]}`);
      }
    }
  }
  assert.ok(seen >= 5, `only ${seen} npm run mentions found`);
  assert.deepEqual(unknown, []);
});
