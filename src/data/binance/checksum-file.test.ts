import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { tempDir } from "../../../test/support/run-cli.js";
import { sha256File, verifyChecksumFile } from "./checksum-file.js";

// SHA-256 of the three bytes "abc" (FIPS 180-2, appendix B.1).
const ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

test("sha256File hashes a file (the FIPS 180-2 example)", () => {
  const p = join(tempDir(), "a.zip");
  writeFileSync(p, "abc");
  assert.equal(sha256File(p), ABC);
});

test(".CHECKSUM: absent is not checked; a match passes; a mismatch or another form names both files", () => {
  const dir = tempDir();
  const p = join(dir, "BTCUSDT-bookTicker-2026-01-01.zip");
  writeFileSync(p, "abc");
  assert.equal(verifyChecksumFile(p), false);
  writeFileSync(`${p}.CHECKSUM`, `${ABC}  BTCUSDT-bookTicker-2026-01-01.zip\n`);
  assert.equal(verifyChecksumFile(p), true);
  writeFileSync(`${p}.CHECKSUM`, `${"0".repeat(64)}  BTCUSDT-bookTicker-2026-01-01.zip\n`);
  assert.throws(
    () => verifyChecksumFile(p),
    /bookTicker-2026-01-01\.zip: SHA-256 ba7816bf\w+ does not match .*\.zip\.CHECKSUM \(0{64}\)/,
  );
  writeFileSync(`${p}.CHECKSUM`, `${ABC}  ETHUSDT-bookTicker-2026-01-01.zip\n`);
  assert.throws(() => verifyChecksumFile(p), /names "ETHUSDT-bookTicker-2026-01-01\.zip"/);
  writeFileSync(`${p}.CHECKSUM`, "not a checksum\n");
  assert.throws(() => verifyChecksumFile(p), /\.CHECKSUM: expected "<sha256 hex> {2}BTCUSDT/);
});
