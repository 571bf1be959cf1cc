/**
 * `.CHECKSUM` files of data.binance.vision: beside `X.zip` it publishes
 * `X.zip.CHECKSUM` holding "<sha256 hex>  X.zip". When one is present the
 * dump is hashed and compared before it is read; a mismatch (or a checksum
 * file that is not of that form) is an error naming both files.
 */

import { createHash } from "node:crypto";
import { closeSync, openSync, readFileSync, readSync, statSync } from "node:fs";
import { basename } from "node:path";
import { InvalidInputError } from "../../core/errors.js";

const CHUNK = 1 << 20;

/** The SHA-256 of a file, hex, read in 1 MB chunks. */
export function sha256File(path: string): string {
  const hash = createHash("sha256");
  const buf = Buffer.allocUnsafe(CHUNK);
  const fd = openSync(path, "r");
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}

/**
 * Check `path` against `path.CHECKSUM` when that file exists; returns whether
 * one was checked. Throws InvalidInputError on a mismatch or a malformed file.
 */
export function verifyChecksumFile(path: string): boolean {
  const sumPath = `${path}.CHECKSUM`;
  if (!(statSync(sumPath, { throwIfNoEntry: false })?.isFile() ?? false)) return false;
  const text = readFileSync(sumPath, "utf8").trim();
  const m = /^([0-9a-fA-F]{64})(?:\s+\*?(\S+))?$/.exec(text);
  if (m === null) {
    throw new InvalidInputError(
      `${sumPath}: expected "<sha256 hex>  ${basename(path)}", got ${JSON.stringify(text.slice(0, 100))}`,
    );
  }
  const named = m[2];
  if (named !== undefined && named !== basename(path)) {
    throw new InvalidInputError(
      `${sumPath}: names ${JSON.stringify(named)}, expected the checksum of ${basename(path)}`,
    );
  }
  const expected = (m[1] as string).toLowerCase();
  const actual = sha256File(path);
  if (actual !== expected) {
    throw new InvalidInputError(
      `${path}: SHA-256 ${actual} does not match ${sumPath} (${expected}); the download is damaged or the files do not belong together (--no-verify-checksum skips the check)`,
    );
  }
  return true;
}
