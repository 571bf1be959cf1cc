/**
 * `npm run secret-guard`: scan a tree for credentials that should never be
 * committed (cloud keys, private keys, tokens, exchange API keys, secrets
 * assigned in config or code). Findings print masked, with a fingerprint
 * that an allowlist can name; the secret itself is never echoed.
 *
 * Allowlisting, for reviewed false positives:
 * - a line containing `secret-guard: allow` is skipped;
 * - an allowlist file (`--allowlist FILE`, default `.secret-guard-allow` at the
 *   scan root when present) holds `fingerprint:<16 hex>` entries and path globs;
 * - publicly documented example credentials (Binance's API docs) are known.
 *
 * Exit code: 0 clean, 1 findings, 2 usage error.
 */

import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { boolFlag, parseFlags, stringFlag, stringsFlag } from "../src/argv/args.js";
import { errorMessage } from "../src/core/errors.js";
import { matchesGlob, relPosix, textFiles } from "./file-walk.js";
import { runIfMain, type ToolIo } from "./tool-io.js";

export interface SecretRule {
  readonly id: string;
  readonly description: string;
  readonly pattern: RegExp;
  /** Capture group holding the secret value (0: the whole match). */
  readonly group: number;
  /** Only lines matching this are considered. */
  readonly lineFilter?: RegExp;
  /** Extra test on the captured value. */
  readonly accept?: (value: string) => boolean;
}

export interface SecretFinding {
  readonly path: string;
  readonly line: number;
  readonly rule: string;
  readonly masked: string;
  readonly fingerprint: string;
}

/** Words that mark a value as a placeholder rather than a credential. */
const PLACEHOLDER =
  /example|placeholder|your|xxx|dummy|fake|sample|changeme|redacted|mock|test|<|\$\{|\{\{|\*\*\*/i;

function mixedAlnum(v: string): boolean {
  return /[a-z]/.test(v) && /[A-Z]/.test(v) && /[0-9]/.test(v);
}

/** A generated-looking value: has a digit and a letter, is not a dotted reference or an env var name. */
function looksGenerated(v: string): boolean {
  if (!/[0-9]/.test(v) || !/[A-Za-z]/.test(v)) return false;
  if (/^[A-Z][A-Z0-9_]*$/.test(v) && v.includes("_")) return false;
  if (/^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$/.test(v)) return false;
  return true;
}

const SECRET_NAME =
  "[A-Za-z0-9_.-]*(?:api[_-]?key|api[_-]?secret|secret[_-]?key|secret|access[_-]?token|auth[_-]?token|private[_-]?key|client[_-]?secret|passphrase)";

export const SECRET_RULES: readonly SecretRule[] = [
  {
    id: "AWS_ACCESS_KEY_ID",
    description: "AWS access key id",
    pattern: /\b((?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16})\b/g,
    group: 1,
  },
  {
    id: "AWS_SECRET_ACCESS_KEY",
    description: "AWS secret access key assignment",
    pattern:
      /aws_?secret(?:_access)?_?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])/gi,
    group: 1,
  },
  {
    id: "PRIVATE_KEY",
    description: "PEM or PGP private key block",
    pattern: /-{5}BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-{5}/g,
    group: 0,
  },
  {
    id: "GITHUB_TOKEN",
    description: "GitHub token",
    pattern: /\b(gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{60,255})\b/g,
    group: 1,
  },
  {
    id: "SLACK_TOKEN",
    description: "Slack token",
    pattern: /\b(xox[abposr]-[A-Za-z0-9-]{10,})\b/g,
    group: 1,
  },
  {
    id: "BINANCE_STYLE_KEY",
    description: "64-character exchange API key or secret",
    pattern: /(?<![A-Za-z0-9])([A-Za-z0-9]{64})(?![A-Za-z0-9])/g,
    group: 1,
    lineFilter: /api|secret|key|token/i,
    accept: mixedAlnum,
  },
  {
    id: "SECRET_ASSIGNMENT",
    description: "long secret-like value assigned to a key/secret/token name",
    pattern: new RegExp(
      `\\b${SECRET_NAME}["'\`]?\\s*(?:[:=]|=>)\\s*["'\`]?([A-Za-z0-9_\\-/+=.]{20,})`,
      "gi",
    ),
    group: 1,
    accept: looksGenerated,
  },
  {
    id: "PASSWORD_ASSIGNMENT",
    description: "quoted password of 8+ characters",
    pattern: /\b(?:password|passwd|pwd)["']?\s*[:=]\s*["']([^"'\s]{8,})["']/gi,
    group: 1,
  },
  {
    id: "URL_CREDENTIALS",
    description: "password inside a database/broker URL",
    pattern:
      /\b(?:postgres(?:ql)?|mysql|mongodb(?:\+srv)?|rediss?|amqps?):\/\/[^\s:@/]*:([^\s@/]{3,})@/gi,
    group: 1,
  },
  {
    id: "BEARER_TOKEN",
    description: "bearer token",
    pattern: /\bbearer\s+([A-Za-z0-9\-_.=]{20,})/gi,
    group: 1,
    accept: looksGenerated,
  },
];

/** First 16 hex digits of the SHA-256 of a value: how findings are named in allowlists. */
export function secretFingerprint(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex").slice(0, 16);
}

/**
 * Fingerprints of credentials published in vendor documentation as examples
 * (Binance API docs: the HMAC example key and secret). Not secrets.
 */
export const DOCUMENTED_EXAMPLE_FINGERPRINTS: readonly string[] = [
  "5ba1ed8425baaa72",
  "23e9efa3ced6e70c",
];

const INLINE_ALLOW = "secret-guard: allow";

function mask(v: string): string {
  return `${v.slice(0, 4)}... (${v.length} chars)`;
}

/** Findings in one file's text (path is only used for reporting). */
export function scanText(
  text: string,
  path: string,
  allowedFingerprints: ReadonlySet<string> = new Set(DOCUMENTED_EXAMPLE_FINGERPRINTS),
): SecretFinding[] {
  const out: SecretFinding[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.includes(INLINE_ALLOW)) continue;
    const seen = new Set<string>();
    for (const rule of SECRET_RULES) {
      if (rule.lineFilter !== undefined && !rule.lineFilter.test(line)) continue;
      for (const m of line.matchAll(rule.pattern)) {
        const value = m[rule.group] ?? m[0];
        if (PLACEHOLDER.test(value)) continue;
        if (rule.accept !== undefined && !rule.accept(value)) continue;
        const fingerprint = secretFingerprint(value);
        if (allowedFingerprints.has(fingerprint) || seen.has(fingerprint)) continue;
        seen.add(fingerprint);
        out.push({ path, line: i + 1, rule: rule.id, masked: mask(value), fingerprint });
      }
    }
  }
  return out;
}

export interface Allowlist {
  readonly fingerprints: ReadonlySet<string>;
  readonly globs: readonly string[];
}

/** Parse an allowlist file: `fingerprint:<hex>` lines and path globs; `#` comments. */
export function parseAllowlist(text: string): Allowlist {
  const fingerprints = new Set<string>(DOCUMENTED_EXAMPLE_FINGERPRINTS);
  const globs: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\s+#.*$/, "").trim();
    if (line === "" || line.startsWith("#")) continue;
    if (line.startsWith("fingerprint:"))
      fingerprints.add(line.slice("fingerprint:".length).trim().toLowerCase());
    else globs.push(line);
  }
  return { fingerprints, globs };
}

/** Files larger than this are not read (data dumps, archives). */
const MAX_FILE_BYTES = 5 * 1024 * 1024;

export interface ScanResult {
  readonly filesScanned: number;
  readonly findings: readonly SecretFinding[];
}

/** Scan a tree (or one file); paths in findings are relative to `root`. */
export function scanTree(
  root: string,
  allow: Allowlist,
  excludes: readonly string[] = [],
): ScanResult {
  const findings: SecretFinding[] = [];
  let filesScanned = 0;
  const isDir = statSync(root).isDirectory();
  const relOf = (file: string): string => (isDir ? relPosix(root, file) : file);
  const globs = [...allow.globs, ...excludes];
  const skip = (file: string): boolean => globs.some((g) => matchesGlob(relOf(file), g));
  for (const { path, text } of textFiles(root, { skip, maxBytes: MAX_FILE_BYTES })) {
    filesScanned++;
    findings.push(...scanText(text, relOf(path), allow.fingerprints));
  }
  return { filesScanned, findings };
}

export const SECRET_GUARD_USAGE = [
  "npm run secret-guard -- [--path DIR] [--allowlist FILE] [--exclude GLOB]... [--verbose]",
  "",
  "  --path       tree (or file) to scan (default .)",
  "  --allowlist  allowlist file (default DIR/.secret-guard-allow when present):",
  "               `fingerprint:<16 hex>` lines and path globs, # comments",
  "  --exclude    path glob to skip, relative to DIR (repeatable)",
  "  --verbose    list the rules and the number of files scanned",
  "A line containing `secret-guard: allow` is never reported.",
  "Exit code: 0 clean, 1 secrets found, 2 bad usage.",
].join("\n");

/** `npm run secret-guard -- ARGS`. */
export async function runSecretGuard(argv: readonly string[], io: ToolIo): Promise<number> {
  let args: ReturnType<typeof parseFlags>;
  try {
    args = parseFlags(argv, {
      path: { type: "string" },
      allowlist: { type: "string" },
      exclude: { type: "string", multiple: true },
      verbose: { type: "boolean", short: "v" },
      help: { type: "boolean", short: "h" },
    });
  } catch (e) {
    io.stderr(`secret-guard: ${errorMessage(e)}`);
    io.stderr(`Usage: ${SECRET_GUARD_USAGE}`);
    return 2;
  }
  if (boolFlag(args, "help")) {
    io.stdout(`Usage: ${SECRET_GUARD_USAGE}`);
    return 0;
  }
  const path = stringFlag(args, "path") ?? ".";
  const allowlistPath = stringFlag(args, "allowlist");
  const excludes = stringsFlag(args, "exclude") ?? [];
  const verbose = boolFlag(args, "verbose");
  for (const [flag, v] of [
    ["--path", path],
    ["--allowlist", allowlistPath],
    ...excludes.map((x) => ["--exclude", x]),
  ]) {
    if (v === "") {
      io.stderr(`secret-guard: ${flag}: missing value`);
      return 2;
    }
  }
  const root = resolve(path);
  if (!existsSync(root)) {
    io.stderr(`secret-guard: --path: ${path} does not exist`);
    return 2;
  }
  const defaultAllow = join(root, ".secret-guard-allow");
  const allowFile = allowlistPath ?? (existsSync(defaultAllow) ? defaultAllow : undefined);
  if (allowlistPath !== undefined && !existsSync(allowlistPath)) {
    io.stderr(`secret-guard: --allowlist: ${allowlistPath} does not exist`);
    return 2;
  }
  const allow = parseAllowlist(allowFile === undefined ? "" : readFileSync(allowFile, "utf8"));
  if (verbose) {
    io.stdout(`rules: ${SECRET_RULES.map((r) => r.id).join(", ")}`);
    if (allowFile !== undefined) io.stdout(`allowlist: ${allowFile}`);
  }
  const { filesScanned, findings } = scanTree(root, allow, excludes);
  if (verbose) io.stdout(`scanned ${filesScanned} files under ${root}`);
  if (findings.length === 0) {
    io.stdout("secret-guard: no secrets found");
    return 0;
  }
  io.stdout(`secret-guard: ${findings.length} possible secret(s):`);
  for (const f of findings) {
    io.stdout(`  ${f.path}:${f.line}: ${f.rule} ${f.masked} fingerprint:${f.fingerprint}`);
  }
  io.stdout("Move real secrets to environment variables and rotate them. For a reviewed false");
  io.stdout(
    "positive add its fingerprint line to the allowlist or `secret-guard: allow` on the line.",
  );
  return 1;
}

runIfMain(import.meta.url, runSecretGuard);
