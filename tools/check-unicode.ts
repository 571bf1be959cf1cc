/**
 * `npm run check-unicode`: find characters that make text read differently
 * from how it is stored ("Trojan Source"): bidirectional controls, zero-width
 * and other invisible characters. Those fail the check. Other format (Cf) or
 * control (Cc) characters are reported as warnings. Ordinary non-ASCII text
 * (Cyrillic, arrows, box drawing for diagrams) is fine.
 *
 * Exit code: 0 clean, 1 dangerous characters found (or a path is missing),
 * 2 usage error.
 */

import { existsSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { boolFlag, parseFlags, stringFlag } from "../src/argv/args.js";
import { errorMessage } from "../src/core/errors.js";
import { relPosix, textFiles } from "./file-walk.js";
import { runIfMain, type ToolIo } from "./tool-io.js";

/** Characters that fail the check, with a short name. */
export const DANGEROUS_CHARS: ReadonlyMap<number, string> = new Map([
  [0x202a, "LEFT-TO-RIGHT EMBEDDING"],
  [0x202b, "RIGHT-TO-LEFT EMBEDDING"],
  [0x202c, "POP DIRECTIONAL FORMATTING"],
  [0x202d, "LEFT-TO-RIGHT OVERRIDE"],
  [0x202e, "RIGHT-TO-LEFT OVERRIDE"],
  [0x2066, "LEFT-TO-RIGHT ISOLATE"],
  [0x2067, "RIGHT-TO-LEFT ISOLATE"],
  [0x2068, "FIRST STRONG ISOLATE"],
  [0x2069, "POP DIRECTIONAL ISOLATE"],
  [0x200e, "LEFT-TO-RIGHT MARK"],
  [0x200f, "RIGHT-TO-LEFT MARK"],
  [0x061c, "ARABIC LETTER MARK"],
  [0x200b, "ZERO WIDTH SPACE"],
  [0x200c, "ZERO WIDTH NON-JOINER"],
  [0x200d, "ZERO WIDTH JOINER"],
  [0x2060, "WORD JOINER"],
  [0xfeff, "ZERO WIDTH NO-BREAK SPACE / BOM"],
  [0x00ad, "SOFT HYPHEN"],
  [0x2061, "FUNCTION APPLICATION"],
  [0x2062, "INVISIBLE TIMES"],
  [0x2063, "INVISIBLE SEPARATOR"],
  [0x2064, "INVISIBLE PLUS"],
  [0x180e, "MONGOLIAN VOWEL SEPARATOR"],
  [0x115f, "HANGUL CHOSEONG FILLER"],
  [0x1160, "HANGUL JUNGSEONG FILLER"],
  [0x3164, "HANGUL FILLER"],
  [0xffa0, "HALFWIDTH HANGUL FILLER"],
]);

export interface UnicodeIssue {
  readonly path: string;
  readonly line: number;
  /** 1-based, in code points. */
  readonly column: number;
  readonly codePoint: number;
  readonly severity: "dangerous" | "suspicious";
  readonly name: string;
}

const FORMAT_OR_CONTROL = /^[\p{Cf}\p{Cc}]$/u;

/** `U+202E`. */
export function formatCodePoint(cp: number): string {
  return "U+" + cp.toString(16).toUpperCase().padStart(4, "0");
}

/** Issues in one text (path only used for reporting). */
export function scanUnicode(text: string, path: string): UnicodeIssue[] {
  const out: UnicodeIssue[] = [];
  let line = 1;
  let column = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0) as number;
    if (cp === 0x0a) {
      line++;
      column = 0;
      continue;
    }
    column++;
    if (cp < 0x80) continue;
    const name = DANGEROUS_CHARS.get(cp);
    if (name !== undefined) {
      out.push({ path, line, column, codePoint: cp, severity: "dangerous", name });
    } else if (FORMAT_OR_CONTROL.test(ch)) {
      out.push({
        path,
        line,
        column,
        codePoint: cp,
        severity: "suspicious",
        name: "format/control character",
      });
    }
  }
  return out;
}

/** Extensions of the text files looked at inside directories. */
export const TEXT_EXTENSIONS: readonly string[] = [
  ".md",
  ".txt",
  ".ts",
  ".js",
  ".mjs",
  ".cjs",
  ".json",
  ".yml",
  ".yaml",
  ".sh",
  ".py",
  ".toml",
  ".html",
  ".css",
];

/** What `--all` scans besides docs/ (missing ones are skipped). */
export const ALL_PATHS: readonly string[] = [
  "docs",
  "src",
  "scripts",
  "test",
  "tools",
  "lint",
  "monitoring",
  "README.md",
  "Dockerfile",
  "docker-compose.observability.yml",
  "docker-compose.ha.yml",
  "package.json",
];

function isTextPath(p: string): boolean {
  return TEXT_EXTENSIONS.some((e) => p.endsWith(e));
}

export const CHECK_UNICODE_USAGE = [
  "npm run check-unicode -- [--root DIR] [--all] [PATH...]",
  "",
  "  PATH     files or directories to scan, relative to the root (default: docs)",
  `  --all    scan ${ALL_PATHS.join(", ")}`,
  "  --root   directory the paths are relative to (default .)",
  "Fails on bidirectional controls and zero-width/invisible characters; other",
  "format/control characters are warnings.",
  "Exit code: 0 clean, 1 dangerous characters found or a path missing, 2 bad usage.",
].join("\n");

/** `npm run check-unicode -- ARGS`. */
export async function runCheckUnicode(argv: readonly string[], io: ToolIo): Promise<number> {
  let args: ReturnType<typeof parseFlags>;
  try {
    args = parseFlags(
      argv,
      { root: { type: "string" }, all: { type: "boolean" }, help: { type: "boolean", short: "h" } },
      true,
    );
  } catch (e) {
    io.stderr(`check-unicode: ${errorMessage(e)}`);
    io.stderr(`Usage: ${CHECK_UNICODE_USAGE}`);
    return 2;
  }
  if (boolFlag(args, "help")) {
    io.stdout(`Usage: ${CHECK_UNICODE_USAGE}`);
    return 0;
  }
  const root = stringFlag(args, "root") ?? ".";
  if (root === "") {
    io.stderr("check-unicode: --root: missing value");
    return 2;
  }
  const all = boolFlag(args, "all");
  const paths = args.positionals;
  const base = resolve(root);
  const explicit = paths.length > 0;
  const targets = explicit ? paths : all ? ALL_PATHS : ["docs"];
  const issues: UnicodeIssue[] = [];
  let files = 0;
  let missing = 0;
  for (const t of targets) {
    const abs = resolve(base, t);
    if (!existsSync(abs)) {
      // --all skips what a repository does not have; named paths and docs/ must exist.
      if (all && !explicit && t !== "docs") continue;
      io.stderr(`check-unicode: ${t} does not exist`);
      missing++;
      continue;
    }
    const isDir = statSync(abs).isDirectory();
    for (const { path, text } of textFiles(abs, { skip: (p) => isDir && !isTextPath(p) })) {
      files++;
      issues.push(...scanUnicode(text, relPosix(base, path)));
    }
  }
  const dangerous = issues.filter((x) => x.severity === "dangerous");
  const suspicious = issues.filter((x) => x.severity === "suspicious");
  for (const x of dangerous) {
    io.stdout(`${x.path}:${x.line}:${x.column}: error: ${formatCodePoint(x.codePoint)} ${x.name}`);
  }
  for (const x of suspicious) {
    io.stdout(
      `${x.path}:${x.line}:${x.column}: warning: ${formatCodePoint(x.codePoint)} ${x.name}`,
    );
  }
  io.stdout(
    `check-unicode: ${files} files, ${dangerous.length} dangerous, ${suspicious.length} suspicious character(s)`,
  );
  return dangerous.length > 0 || missing > 0 ? 1 : 0;
}

runIfMain(import.meta.url, runCheckUnicode);
