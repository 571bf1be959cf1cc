import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { REPO_ROOT } from "../test/support/run-cli.js";
import { formatCodePoint, runCheckUnicode, scanUnicode } from "./check-unicode.js";

// Invisible characters are written as escapes so this file stays clean itself.
const RLO = "\u202e";
const ZWSP = "\u200b";
const BOM = "\ufeff";
const LRI = "\u2066";
const C1 = "\u0085";

function io(): {
  out: string[];
  err: string[];
  stdout: (l: string) => void;
  stderr: (l: string) => void;
} {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (l) => out.push(l), stderr: (l) => err.push(l) };
}

function put(root: string, rel: string, text: string): void {
  const p = join(root, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
}

describe("scanUnicode", () => {
  it("locates dangerous characters by line and code-point column", () => {
    const issues = scanUnicode(`ok line\nab${RLO}cd ${ZWSP}\n${BOM}x`, "f.md");
    assert.deepEqual(
      issues.map((i) => [i.line, i.column, formatCodePoint(i.codePoint), i.severity, i.name]),
      [
        [2, 3, "U+202E", "dangerous", "RIGHT-TO-LEFT OVERRIDE"],
        [2, 7, "U+200B", "dangerous", "ZERO WIDTH SPACE"],
        [3, 1, "U+FEFF", "dangerous", "ZERO WIDTH NO-BREAK SPACE / BOM"],
      ],
    );
  });

  it("allows ordinary non-ASCII text and warns about other format/control characters", () => {
    assert.deepEqual(scanUnicode("Привет → ✓ ┌──┐ — «x» 😀 é", "f"), []);
    const w = scanUnicode(`a${C1}b`, "f");
    assert.deepEqual(
      w.map((i) => [i.severity, formatCodePoint(i.codePoint)]),
      [["suspicious", "U+0085"]],
    );
  });
});

describe("grinder check-unicode", () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), "grinder-unicode-"));
    put(root, "docs/clean.md", "# Title\nТекст и стрелки →\n");
    put(root, "docs/bad.md", `# Title\naccess = "user${RLO} ${LRI}// admin"\n`);
    put(root, "src/code.ts", `const x${ZWSP} = 1;\n`);
    put(root, "src/warn.ts", `// ${C1}\n`);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("scans docs/ by default and fails on bidi controls", async () => {
    const o = io();
    assert.equal(await runCheckUnicode(["--root", root], o), 1);
    assert.deepEqual(o.out, [
      "docs/bad.md:2:15: error: U+202E RIGHT-TO-LEFT OVERRIDE",
      "docs/bad.md:2:17: error: U+2066 LEFT-TO-RIGHT ISOLATE",
      "check-unicode: 2 files, 2 dangerous, 0 suspicious character(s)",
    ]);
  });

  it("--all adds src/ (and skips absent folders); explicit paths scan only those", async () => {
    const o = io();
    assert.equal(await runCheckUnicode(["--root", root, "--all"], o), 1);
    assert.ok(o.out.includes("src/code.ts:1:8: error: U+200B ZERO WIDTH SPACE"));
    assert.ok(o.out.includes("src/warn.ts:1:4: warning: U+0085 format/control character"));
    assert.equal(o.out.at(-1), "check-unicode: 4 files, 3 dangerous, 1 suspicious character(s)");
    const o2 = io();
    assert.equal(await runCheckUnicode(["--root", root, "docs/clean.md", "src/warn.ts"], o2), 0);
    assert.equal(o2.out.at(-1), "check-unicode: 2 files, 0 dangerous, 1 suspicious character(s)");
  });

  it("fails on a missing path and on bad usage", async () => {
    const o = io();
    assert.equal(await runCheckUnicode(["--root", root, "nope"], o), 1);
    assert.match(o.err[0] ?? "", /nope does not exist/);
    const empty = mkdtempSync(join(tmpdir(), "grinder-unicode-empty-"));
    try {
      assert.equal(await runCheckUnicode(["--root", empty], io()), 1, "docs/ must exist");
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    assert.equal(await runCheckUnicode(["--frobnicate"], io()), 2);
    assert.equal(await runCheckUnicode(["--root"], io()), 2);
  });

  it("finds nothing dangerous in this repository", async () => {
    const repo = REPO_ROOT;
    const o = io();
    assert.equal(await runCheckUnicode(["--root", repo, "--all"], o), 0, o.out.join("\n"));
  });
});
