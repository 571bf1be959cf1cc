import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { REPO_ROOT } from "../test/support/run-cli.js";
import { parseAllowlist, runSecretGuard, scanText, secretFingerprint } from "./secret-guard.js";

// Fakes are assembled at run time so this file itself holds nothing a scanner would flag.
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
function fakeKey(len: number, seed: number): string {
  let x = seed;
  let s = "";
  for (let i = 0; i < len; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    s += ALNUM[x % ALNUM.length];
  }
  return "Q7" + s.slice(2, len - 1) + "z"; // upper, lower and digit guaranteed
}
const KEY64 = fakeKey(64, 1);
const SECRET32 = fakeKey(32, 2);
const AWS_ID = ["AK", "IA", "Z7QW3RT5YU8IOP2B"].join("");
const PEM_HEADER = ["-----BEGIN", "RSA PRIVATE", "KEY-----"].join(" ");
const DB_PASSWORD = fakeKey(14, 3);

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

function put(root: string, rel: string, text: string | Buffer): void {
  const p = join(root, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
}

describe("secret-guard on planted fakes", () => {
  let root: string;
  before(() => {
    root = mkdtempSync(join(tmpdir(), "grinder-secret-guard-"));
    put(root, "config/prod.env", `# exchange\nBINANCE_API_KEY=${KEY64}\nBINANCE_API_SECRET=xxx\n`);
    put(root, "notes/aws.txt", `deploy with ${AWS_ID} please\n`);
    put(root, "keys/server.pem", `${PEM_HEADER}\nMIIB...\n`);
    put(
      root,
      "src/client.ts",
      `const apiSecret = "${SECRET32}";\nconst other = process.env.BINANCE_API_SECRET;\n`,
    );
    put(
      root,
      "deploy/db.yml",
      `url: postgres://app:${DB_PASSWORD}@db:5432/grinder\ncache: redis://redis:6379/0\n`,
    );
    // Not findings: placeholders, references, digests, redacted URLs.
    put(
      root,
      "docs/setup.md",
      [
        'api_key = "your_api_key_goes_here_0123456789"',
        "apiSecret: process.env.BINANCE_API_SECRET_VALUE_2",
        `digest key: ${"ab12".repeat(16)}`,
        "GRINDER_REDIS_URL=redis://:***@redis:6379/0",
        "GF_SECURITY_ADMIN_PASSWORD=admin",
        `inline: api_secret=${fakeKey(40, 9)} # secret-guard: allow`,
      ].join("\n"),
    );
    // Skipped folders and binary files.
    put(root, "node_modules/pkg/index.js", `const apiSecret = "${SECRET32}";\n`);
    put(root, "dist/app.js", `BINANCE_API_KEY=${KEY64}\n`);
    put(root, ".git/config", `token key ${KEY64}\n`);
    put(
      root,
      "img/logo.bin",
      Buffer.concat([Buffer.from([0, 1, 2]), Buffer.from(`api key ${KEY64}`)]),
    );
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("finds each planted secret once, masked, and exits 1", async () => {
    const o = io();
    assert.equal(await runSecretGuard(["--path", root], o), 1);
    const findings = o.out.filter((l) => l.startsWith("  "));
    assert.deepEqual(
      findings.map((l) => l.trim().split(" ").slice(0, 2).join(" ")),
      [
        "config/prod.env:2: BINANCE_STYLE_KEY",
        "deploy/db.yml:1: URL_CREDENTIALS",
        "keys/server.pem:1: PRIVATE_KEY",
        "notes/aws.txt:1: AWS_ACCESS_KEY_ID",
        "src/client.ts:1: SECRET_ASSIGNMENT",
      ],
    );
    const all = o.out.join("\n");
    for (const secret of [KEY64, SECRET32, AWS_ID, DB_PASSWORD])
      assert.ok(!all.includes(secret), "secret echoed");
    assert.ok(all.includes(`fingerprint:${secretFingerprint(KEY64)}`));
    assert.ok(all.includes("Q7"), "masked prefix shown");
  });

  it("honours an allowlist file: fingerprints and path globs", async () => {
    put(
      root,
      ".secret-guard-allow",
      `# reviewed\nfingerprint:${secretFingerprint(KEY64)}\nkeys/*.pem\nnotes/**\n`,
    );
    try {
      const o = io();
      assert.equal(await runSecretGuard(["--path", root, "--exclude", "deploy/db.yml"], o), 1);
      const findings = o.out.filter((l) => l.startsWith("  ")).map((l) => l.trim().split(":")[0]);
      assert.deepEqual(findings, ["src/client.ts"]);
      const o2 = io();
      assert.equal(
        await runSecretGuard(["--path", root, "--exclude", "deploy/**", "--exclude", "*.ts"], o2),
        0,
      );
      assert.equal(o2.out.at(-1), "secret-guard: no secrets found");
    } finally {
      rmSync(join(root, ".secret-guard-allow"));
    }
  });

  it("reports usage errors with exit code 2", async () => {
    const o = io();
    assert.equal(await runSecretGuard(["--bogus"], o), 2);
    assert.match(o.err[0] ?? "", /unknown option --bogus/);
    assert.equal(await runSecretGuard(["--path", join(root, "missing")], io()), 2);
    assert.equal(await runSecretGuard(["--path"], io()), 2);
    assert.equal(await runSecretGuard(["--allowlist", join(root, "nope")], io()), 2);
  });
});

describe("secret-guard rules", () => {
  it("needs generated-looking values for the generic rules", () => {
    assert.equal(scanText(`secret_key: "${"a".repeat(30)}"`, "f").length, 0, "no digit");
    assert.equal(scanText(`secret_key: ${SECRET32}`, "f").length, 1);
    assert.equal(scanText(`Authorization: Bearer ${fakeKey(30, 5)}`, "f")[0]?.rule, "BEARER_TOKEN");
    assert.equal(scanText("Authorization: Bearer <token>", "f").length, 0);
    assert.equal(scanText(`password = "${fakeKey(12, 6)}"`, "f")[0]?.rule, "PASSWORD_ASSIGNMENT");
    assert.equal(
      scanText(`value ${KEY64}`, "f").length,
      0,
      "64 chars without a key word on the line",
    );
    assert.equal(scanText(`token: gh${"p_"}${fakeKey(36, 7)}`, "f")[0]?.rule, "GITHUB_TOKEN");
  });

  it("parses allowlists and always knows the documented examples", () => {
    const a = parseAllowlist("fingerprint:ABCDEF0123456789  # why\n\n# c\nfixtures/**\n");
    assert.ok(a.fingerprints.has("abcdef0123456789"));
    assert.ok(a.fingerprints.has("23e9efa3ced6e70c"), "Binance docs example secret");
    assert.deepEqual(a.globs, ["fixtures/**"]);
  });
});

describe("secret-guard on this repository", () => {
  it("finds nothing (node_modules, dist and .git skipped)", async () => {
    const repo = REPO_ROOT;
    const o = io();
    const code = await runSecretGuard(["--path", repo], o);
    assert.equal(code, 0, o.out.join("\n"));
  });
});
