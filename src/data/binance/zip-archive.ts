/**
 * Minimal synchronous ZIP reader for the archives data.binance.vision ships
 * (one CSV per zip, stored or deflated; ZIP64 records understood).
 *
 * The central directory is parsed directly from the end of the file; entry
 * data is located through its local header (sizes always come from the
 * central directory, so entries written with a trailing data descriptor read
 * the same). Both methods are streamed with flat memory whatever the entry's
 * size: stored entries are read 1 MiB at a time; deflated ones are read 1 MiB
 * at a time and inflated as a stream by fflate's synchronous `Inflate` (Node
 * has no synchronous streaming inflate), fed in slices sized so that each
 * slice inflates to about 1 MiB (see `feedSize`).
 *
 * Integrity: the uncompressed size is checked against the central directory,
 * and the CRC-32 too when the runtime has `zlib.crc32` (Node >= 20.15).
 * Corrupt or truncated deflate data throws an InvalidInputError naming the
 * file and the entry.
 */

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import * as zlib from "node:zlib";
import { Inflate } from "fflate";
import { InvalidInputError } from "../../core/errors.js";

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const CHUNK = 1 << 20;

export const ZIP_METHOD_STORED = 0;
export const ZIP_METHOD_DEFLATE = 8;

export interface ZipEntry {
  /** Name inside the archive ("BTCUSDT-bookTicker-2026-01-01.csv"). */
  readonly name: string;
  readonly method: number;
  readonly flags: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  /** Offset of the entry's local header in the file. */
  readonly localHeaderOffset: number;
  readonly isDirectory: boolean;
}

type Crc32Fn = (data: Uint8Array, value?: number) => number;
const crc32: Crc32Fn | undefined = (zlib as { crc32?: Crc32Fn }).crc32;

function readExact(fd: number, path: string, length: number, position: number): Buffer {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, position + got);
    if (n === 0) {
      throw new InvalidInputError(
        `${path}: truncated zip: expected ${length} bytes at offset ${position}, file ended after ${got}`,
      );
    }
    got += n;
  }
  return buf;
}

function u64(buf: Buffer, off: number, path: string): number {
  const v = buf.readBigUInt64LE(off);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new InvalidInputError(`${path}: zip64 value ${v} is too large`);
  }
  return Number(v);
}

interface DirectoryLocation {
  readonly entries: number;
  readonly size: number;
  readonly offset: number;
}

function locateCentralDirectory(fd: number, path: string, fileSize: number): DirectoryLocation {
  if (fileSize < EOCD_SIZE) {
    throw new InvalidInputError(`${path}: not a zip file (only ${fileSize} bytes)`);
  }
  const tailLen = Math.min(fileSize, EOCD_SIZE + MAX_COMMENT);
  const tailPos = fileSize - tailLen;
  const tail = readExact(fd, path, tailLen, tailPos);
  let at = -1;
  for (let i = tailLen - EOCD_SIZE; i >= 0; i--) {
    if (tail.readUInt32LE(i) === SIG_EOCD && i + EOCD_SIZE + tail.readUInt16LE(i + 20) <= tailLen) {
      at = i;
      break;
    }
  }
  if (at < 0) {
    throw new InvalidInputError(
      `${path}: not a zip file (no end-of-central-directory record; truncated download?)`,
    );
  }
  const entries = tail.readUInt16LE(at + 10);
  const size = tail.readUInt32LE(at + 12);
  const offset = tail.readUInt32LE(at + 16);
  if (entries !== 0xffff && size !== 0xffffffff && offset !== 0xffffffff) {
    return { entries, size, offset };
  }
  // ZIP64: the locator sits just before the classic record.
  const locPos = tailPos + at - 20;
  if (locPos < 0) throw new InvalidInputError(`${path}: zip64 locator missing`);
  const loc = readExact(fd, path, 20, locPos);
  if (loc.readUInt32LE(0) !== SIG_ZIP64_LOCATOR) {
    throw new InvalidInputError(`${path}: zip64 locator missing`);
  }
  const recPos = u64(loc, 8, path);
  const rec = readExact(fd, path, 56, recPos);
  if (rec.readUInt32LE(0) !== SIG_ZIP64_EOCD) {
    throw new InvalidInputError(`${path}: zip64 end-of-central-directory record missing`);
  }
  return { entries: u64(rec, 32, path), size: u64(rec, 40, path), offset: u64(rec, 48, path) };
}

/** Every entry of the archive in central-directory order (directories included, flagged). */
export function listZipEntries(path: string): ZipEntry[] {
  const fd = openSync(path, "r");
  try {
    const fileSize = fstatSync(fd).size;
    const dir = locateCentralDirectory(fd, path, fileSize);
    if (dir.offset + dir.size > fileSize) {
      throw new InvalidInputError(`${path}: central directory lies past the end of the file`);
    }
    const cd = readExact(fd, path, dir.size, dir.offset);
    const out: ZipEntry[] = [];
    let p = 0;
    for (let i = 0; i < dir.entries; i++) {
      if (p + 46 > cd.length || cd.readUInt32LE(p) !== SIG_CENTRAL) {
        throw new InvalidInputError(`${path}: corrupt central directory at entry ${i + 1}`);
      }
      const flags = cd.readUInt16LE(p + 8);
      const method = cd.readUInt16LE(p + 10);
      const crc = cd.readUInt32LE(p + 16);
      let compressedSize = cd.readUInt32LE(p + 20);
      let uncompressedSize = cd.readUInt32LE(p + 24);
      const nameLen = cd.readUInt16LE(p + 28);
      const extraLen = cd.readUInt16LE(p + 30);
      const commentLen = cd.readUInt16LE(p + 32);
      let localHeaderOffset = cd.readUInt32LE(p + 42);
      const name = cd.toString((flags & 0x800) !== 0 ? "utf8" : "latin1", p + 46, p + 46 + nameLen);
      // ZIP64 extended information: only the fields saturated above are present, in this order.
      let e = p + 46 + nameLen;
      const extraEnd = e + extraLen;
      while (e + 4 <= extraEnd) {
        const id = cd.readUInt16LE(e);
        const len = cd.readUInt16LE(e + 2);
        if (id === 0x0001) {
          let q = e + 4;
          if (uncompressedSize === 0xffffffff) {
            uncompressedSize = u64(cd, q, path);
            q += 8;
          }
          if (compressedSize === 0xffffffff) {
            compressedSize = u64(cd, q, path);
            q += 8;
          }
          if (localHeaderOffset === 0xffffffff) localHeaderOffset = u64(cd, q, path);
        }
        e += 4 + len;
      }
      out.push({
        name,
        method,
        flags,
        crc32: crc,
        compressedSize,
        uncompressedSize,
        localHeaderOffset,
        isDirectory: name.endsWith("/"),
      });
      p = extraEnd + commentLen;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

function dataOffset(fd: number, path: string, entry: ZipEntry): number {
  const h = readExact(fd, path, 30, entry.localHeaderOffset);
  if (h.readUInt32LE(0) !== SIG_LOCAL) {
    throw new InvalidInputError(`${path}: entry ${entry.name}: bad local header`);
  }
  return entry.localHeaderOffset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
}

function checkCrc(path: string, entry: ZipEntry, actual: number | undefined): void {
  if (actual !== undefined && actual >>> 0 !== entry.crc32 >>> 0) {
    throw new InvalidInputError(
      `${path}: entry ${entry.name}: CRC-32 mismatch (corrupt or truncated archive)`,
    );
  }
}

/**
 * The uncompressed bytes of one entry, as a sequence of chunks of about 1 MiB
 * (never the whole entry): stored entries are read, deflated ones inflated as
 * a stream.
 */
export function* readZipEntry(path: string, entry: ZipEntry): Generator<Buffer> {
  if ((entry.flags & 0x1) !== 0) {
    throw new InvalidInputError(`${path}: entry ${entry.name} is encrypted; not supported`);
  }
  if (entry.method !== ZIP_METHOD_STORED && entry.method !== ZIP_METHOD_DEFLATE) {
    throw new InvalidInputError(
      `${path}: entry ${entry.name}: compression method ${entry.method} not supported (expected stored or deflate)`,
    );
  }
  const fd = openSync(path, "r");
  try {
    const start = dataOffset(fd, path, entry);
    if (entry.method === ZIP_METHOD_STORED) {
      let crc = crc32 === undefined ? undefined : 0;
      let done = 0;
      while (done < entry.compressedSize) {
        const len = Math.min(CHUNK, entry.compressedSize - done);
        const chunk = readExact(fd, path, len, start + done);
        done += len;
        if (crc !== undefined && crc32 !== undefined) crc = crc32(chunk, crc);
        yield chunk;
      }
      checkCrc(path, entry, crc);
      return;
    }
    yield* inflateEntry(fd, path, entry, start);
  } finally {
    closeSync(fd);
  }
}

/** Output wanted from one push into the inflater. */
const INFLATE_TARGET = 1 << 20;
const MIN_FEED = 1 << 10;
const MAX_FEED = 1 << 18;

/**
 * Compressed bytes to push next so that the push inflates to about
 * INFLATE_TARGET bytes at the ratio seen so far (deflate expands at most
 * 1032:1, so even a wrong guess stays bounded).
 */
function feedSize(compressedIn: number, inflatedOut: number): number {
  if (compressedIn === 0) return MIN_FEED;
  const ratio = Math.max(1, inflatedOut / compressedIn);
  return Math.max(MIN_FEED, Math.min(MAX_FEED, Math.floor(INFLATE_TARGET / ratio)));
}

function* inflateEntry(
  fd: number,
  path: string,
  entry: ZipEntry,
  start: number,
): Generator<Buffer> {
  const what = `${path}: entry ${entry.name}`;
  const pending: Uint8Array[] = [];
  let finished = false;
  const inflater = new Inflate((data, final) => {
    if (data.length > 0) pending.push(data);
    if (final) finished = true;
  });
  let crc = crc32 === undefined ? undefined : 0;
  let fed = 0;
  let out = 0;
  const push = (slice: Uint8Array, final: boolean): void => {
    try {
      inflater.push(slice, final);
    } catch (err) {
      const truncated = /unexpected EOF/i.test((err as Error).message);
      throw new InvalidInputError(
        truncated
          ? `${what}: deflate data ends early (truncated archive?)`
          : `${what}: corrupt deflate data (${(err as Error).message})`,
      );
    }
  };
  if (entry.compressedSize === 0) push(new Uint8Array(0), true);
  while (fed < entry.compressedSize) {
    const len = Math.min(CHUNK, entry.compressedSize - fed);
    const buf = readExact(fd, path, len, start + fed);
    let off = 0;
    while (off < len) {
      const end = Math.min(len, off + feedSize(fed + off, out));
      push(buf.subarray(off, end), fed + end === entry.compressedSize);
      off = end;
      for (const data of pending) {
        out += data.length;
        if (out > entry.uncompressedSize) {
          throw new InvalidInputError(
            `${what}: inflates to more than the ${entry.uncompressedSize} bytes the directory says`,
          );
        }
        const chunk = Buffer.from(data.buffer, data.byteOffset, data.length);
        if (crc !== undefined && crc32 !== undefined) crc = crc32(chunk, crc);
        yield chunk;
      }
      pending.length = 0;
    }
    fed += len;
  }
  if (!finished)
    throw new InvalidInputError(`${what}: deflate data ends early (truncated archive?)`);
  if (out !== entry.uncompressedSize) {
    throw new InvalidInputError(
      `${what}: inflated to ${out} bytes, the directory says ${entry.uncompressedSize}`,
    );
  }
  checkCrc(path, entry, crc);
}
