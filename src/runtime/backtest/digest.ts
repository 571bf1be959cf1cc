/**
 * Digests of canonical JSON: the first 16 hex characters of a SHA-256, of a
 * value or of a JSON array fed one element at a time (a run's outputs).
 * Hashing is I/O-free but uses node:crypto, so it lives here, beside the
 * runs, not in the pure core.
 */

import { createHash } from "node:crypto";
import { canonicalJson, type JsonValue } from "../../core/canonical-json.js";

/** First 16 hex characters of the SHA-256 of a text. */
export function digest16(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex").slice(0, 16);
}

/** Digest of a value's canonical JSON. */
export function canonicalDigest(v: JsonValue): string {
  return digest16(canonicalJson(v));
}

/**
 * An incremental digest over a JSON array, fed one element at a time, so a
 * run's digest needs no list of every output in memory.
 */
export class StreamingArrayDigest {
  private readonly hash = createHash("sha256");
  private count = 0;
  /**
   * Pending bytes, hashed in large chunks (one native call per 64 KB, not per
   * output). Canonical JSON is ASCII, so latin1 writes are byte-exact.
   */
  private readonly buf = Buffer.allocUnsafe(1 << 16);
  private used = 0;

  constructor() {
    this.append("[");
  }

  private append(text: string): void {
    if (text.length > this.buf.length - this.used) {
      this.hash.update(this.buf.subarray(0, this.used));
      this.used = 0;
      if (text.length > this.buf.length) {
        this.hash.update(text, "utf8");
        return;
      }
    }
    this.used += this.buf.write(text, this.used, "latin1");
  }

  push(v: JsonValue): void {
    this.pushCanonical(canonicalJson(v));
  }

  pushCanonical(text: string): void {
    if (this.count > 0) this.append(",");
    this.append(text);
    this.count++;
  }

  finish(): string {
    this.append("]");
    this.hash.update(this.buf.subarray(0, this.used));
    this.used = 0;
    return this.hash.digest("hex").slice(0, 16);
  }
}
