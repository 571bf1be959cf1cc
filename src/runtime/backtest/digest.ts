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

/** Characters of output text gathered before they are hashed. */
const PENDING_CHARS = 1 << 15;

/**
 * An incremental digest over a JSON array, fed one element at a time, so a
 * run's digest needs no list of every output in memory.
 */
export class StreamingArrayDigest {
  private readonly hash = createHash("sha256");
  private count = 0;
  /**
   * Pending text, hashed in large chunks: one native call (and one flattening
   * of the joined strings) per 32K characters, not per output. Canonical JSON
   * is ASCII, so hashing its latin1 bytes hashes its UTF-8 bytes.
   */
  private pending = "[";

  push(v: JsonValue): void {
    this.pushCanonical(canonicalJson(v));
  }

  pushCanonical(text: string): void {
    this.pending += this.count === 0 ? text : "," + text;
    this.count++;
    if (this.pending.length >= PENDING_CHARS) {
      this.hash.update(this.pending, "latin1");
      this.pending = "";
    }
  }

  finish(): string {
    this.hash.update(this.pending + "]", "latin1");
    this.pending = "";
    return this.hash.digest("hex").slice(0, 16);
  }
}
