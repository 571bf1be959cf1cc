import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import * as zlib from "node:zlib";
import { REPO_ROOT } from "../../../test/support/run-cli.js";
import { InvalidInputError } from "../../core/errors.js";
import { csvParts } from "./csv-parts.js";
import {
  listZipEntries,
  readZipEntry,
  ZIP_METHOD_DEFLATE,
  ZIP_METHOD_STORED,
} from "./zip-archive.js";

const testdata = join(REPO_ROOT, "src", "data", "binance", "testdata");
const tmp = mkdtempSync(join(tmpdir(), "grinder-zip-"));
after(() => rmSync(tmp, { recursive: true, force: true }));

type Crc = (d: Uint8Array, v?: number) => number;
const crc32 = (zlib as { crc32?: Crc }).crc32;

/** CRC-32 (IEEE), bitwise; for runtimes without zlib.crc32. */
function crc(data: Buffer): number {
  if (crc32 !== undefined) return crc32(data);
  let c = 0xffffffff;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

interface FakeEntry {
  name: string;
  data: Buffer;
  /** The entry's compressed bytes as written, in place of deflating `data`. */
  body?: Buffer;
  method?: number;
  /** Sizes and CRC left zero in the local header, written in a trailing descriptor. */
  descriptor?: boolean;
  flags?: number;
  badCrc?: boolean;
}

/** A small zip writer for edge cases (data descriptors, ZIP64 records, bad CRC, encryption flag). */
function buildZip(entries: FakeEntry[], zip64 = false): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const method = e.method ?? ZIP_METHOD_DEFLATE;
    const body = e.body ?? (method === ZIP_METHOD_DEFLATE ? zlib.deflateRawSync(e.data) : e.data);
    const sum = (crc(e.data) ^ (e.badCrc ? 1 : 0)) >>> 0;
    const flags = (e.flags ?? 0) | (e.descriptor ? 0x8 : 0);
    const name = Buffer.from(e.name);
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(flags, 6);
    lh.writeUInt16LE(method, 8);
    lh.writeUInt32LE(e.descriptor ? 0 : sum, 14);
    lh.writeUInt32LE(e.descriptor ? 0 : body.length, 18);
    lh.writeUInt32LE(e.descriptor ? 0 : e.data.length, 22);
    lh.writeUInt16LE(name.length, 26);
    const parts = [lh, name, body];
    if (e.descriptor) {
      const dd = Buffer.alloc(16);
      dd.writeUInt32LE(0x08074b50, 0);
      dd.writeUInt32LE(sum, 4);
      dd.writeUInt32LE(body.length, 8);
      dd.writeUInt32LE(e.data.length, 12);
      parts.push(dd);
    }
    const local = Buffer.concat(parts);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(45, 4);
    ch.writeUInt16LE(45, 6);
    ch.writeUInt16LE(flags, 8);
    ch.writeUInt16LE(method, 10);
    ch.writeUInt32LE(sum, 16);
    let extra = Buffer.alloc(0);
    if (zip64) {
      ch.writeUInt32LE(0xffffffff, 20);
      ch.writeUInt32LE(0xffffffff, 24);
      ch.writeUInt32LE(0xffffffff, 42);
      extra = Buffer.alloc(28);
      extra.writeUInt16LE(1, 0);
      extra.writeUInt16LE(24, 2);
      extra.writeBigUInt64LE(BigInt(e.data.length), 4);
      extra.writeBigUInt64LE(BigInt(body.length), 12);
      extra.writeBigUInt64LE(BigInt(offset), 20);
    } else {
      ch.writeUInt32LE(body.length, 20);
      ch.writeUInt32LE(e.data.length, 24);
      ch.writeUInt32LE(offset, 42);
    }
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt16LE(extra.length, 30);
    centrals.push(Buffer.concat([ch, name, extra]));
    locals.push(local);
    offset += local.length;
  }
  const cd = Buffer.concat(centrals);
  const tail: Buffer[] = [];
  if (zip64) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeBigUInt64LE(BigInt(entries.length), 24);
    rec.writeBigUInt64LE(BigInt(entries.length), 32);
    rec.writeBigUInt64LE(BigInt(cd.length), 40);
    rec.writeBigUInt64LE(BigInt(offset), 48);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    loc.writeBigUInt64LE(BigInt(offset + cd.length), 8);
    loc.writeUInt32LE(1, 16);
    tail.push(rec, loc);
  }
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(zip64 ? 0xffff : entries.length, 8);
  eocd.writeUInt16LE(zip64 ? 0xffff : entries.length, 10);
  eocd.writeUInt32LE(zip64 ? 0xffffffff : cd.length, 12);
  eocd.writeUInt32LE(zip64 ? 0xffffffff : offset, 16);
  return Buffer.concat([...locals, cd, ...tail, eocd]);
}

function writeTmp(name: string, data: Buffer): string {
  const p = join(tmp, name);
  writeFileSync(p, data);
  return p;
}

function entryText(path: string, index: number): string {
  const e = listZipEntries(path)[index];
  assert.ok(e !== undefined);
  return Buffer.concat([...readZipEntry(path, e)]).toString("utf8");
}

describe("zip archive", () => {
  it("lists the entries of a multi-entry Binance-style zip and reads deflated and stored ones", () => {
    const path = join(testdata, "multi", "BTCUSDT-trades-2026-01-01.zip");
    const entries = listZipEntries(path);
    assert.deepEqual(
      entries.map((e) => [e.name, e.method]),
      [
        ["BTCUSDT-trades-2026-01-01-part1.csv", ZIP_METHOD_DEFLATE],
        ["README.txt", ZIP_METHOD_DEFLATE],
        ["BTCUSDT-trades-2026-01-01-part2.csv", ZIP_METHOD_STORED],
      ],
    );
    const part1 = entryText(path, 0).split("\n");
    assert.equal(part1[0], "id,price,qty,quote_qty,time,is_buyer_maker");
    assert.equal(part1.length, 10); // header, 8 rows, "" after the last newline
    assert.equal(entryText(path, 1), "sample archive with two parts\n");
    assert.equal(entryText(path, 2).trimEnd().split("\n").length, 8);
  });

  it("reads the csv parts in directory order and reports the non-csv entry", () => {
    const path = join(testdata, "multi", "BTCUSDT-trades-2026-01-01.zip");
    const ignored: string[] = [];
    const labels = [...csvParts(path, (e) => ignored.push(e))].map((p) => p.label);
    assert.deepEqual(labels, [
      `${path}!BTCUSDT-trades-2026-01-01-part1.csv`,
      `${path}!BTCUSDT-trades-2026-01-01-part2.csv`,
    ]);
    assert.deepEqual(ignored, [`${path}!README.txt`]);
  });

  it("uses central-directory sizes, so entries with data descriptors read fine", () => {
    const data = Buffer.from("a,b\n1,2\n".repeat(1000));
    const path = writeTmp(
      "dd.zip",
      buildZip([
        { name: "x.csv", data, descriptor: true },
        { name: "y.csv", data: Buffer.from("3,4\n"), method: ZIP_METHOD_STORED, descriptor: true },
      ]),
    );
    assert.equal(entryText(path, 0), data.toString());
    assert.equal(entryText(path, 1), "3,4\n");
  });

  it("understands ZIP64 end records and extra fields", () => {
    const path = writeTmp(
      "z64.zip",
      buildZip(
        [
          { name: "a.csv", data: Buffer.from("1\n") },
          { name: "b.csv", data: Buffer.from("2\n3\n") },
        ],
        true,
      ),
    );
    const entries = listZipEntries(path);
    assert.deepEqual(
      entries.map((e) => [e.name, e.uncompressedSize]),
      [
        ["a.csv", 2],
        ["b.csv", 4],
      ],
    );
    assert.equal(entryText(path, 1), "2\n3\n");
  });

  it("rejects a non-zip or truncated file naming the path", () => {
    const path = writeTmp("not.zip", Buffer.from("open_time,open\n1,2\n".repeat(3)));
    assert.throws(
      () => listZipEntries(path),
      (e: unknown) => {
        assert.ok(e instanceof InvalidInputError);
        assert.match(e.message, /not\.zip: not a zip file/);
        return true;
      },
    );
    const good = buildZip([{ name: "a.csv", data: Buffer.from("1,2\n".repeat(50)) }]);
    const cut = writeTmp("cut.zip", good.subarray(0, good.length - 30));
    assert.throws(() => listZipEntries(cut), /cut\.zip: not a zip file/);
  });

  it("detects a CRC mismatch in deflated and stored entries", { skip: crc32 === undefined }, () => {
    const data = Buffer.from("1,2\n3,4\n");
    for (const method of [ZIP_METHOD_DEFLATE, ZIP_METHOD_STORED]) {
      const path = writeTmp(
        `crc${method}.zip`,
        buildZip([{ name: "a.csv", data, method, badCrc: true }]),
      );
      assert.throws(() => entryText(path, 0), /a\.csv: CRC-32 mismatch/);
    }
  });

  it("refuses encrypted entries and unknown compression methods", () => {
    const data = Buffer.from("1\n");
    const enc = writeTmp("enc.zip", buildZip([{ name: "a.csv", data, flags: 1, method: 0 }]));
    assert.throws(() => entryText(enc, 0), /a\.csv is encrypted/);
    const bz = writeTmp("bz.zip", buildZip([{ name: "a.csv", data, method: 12 }]));
    assert.throws(() => entryText(bz, 0), /compression method 12 not supported/);
  });

  it("inflates a 256 MiB entry as a stream of bounded chunks", {
    skip: crc32 === undefined,
  }, () => {
    // 256 MiB of CSV from one 64 KiB block deflated with a full flush and
    // repeated: each copy refers only to itself, so the copies concatenated
    // and closed by an empty final block are one valid deflate stream.
    const line = "1767225600000,60000.10,1.5,60000.20,2.5\n";
    const block = Buffer.from(line.repeat(Math.floor(65536 / line.length)));
    const copies = Math.ceil((256 << 20) / block.length);
    const once = zlib.deflateRawSync(block, { finishFlush: zlib.constants.Z_FULL_FLUSH });
    const finalEmptyBlock = Buffer.from([0x03, 0x00]);
    const body = Buffer.concat([...Array<Buffer>(copies).fill(once), finalEmptyBlock]);
    let sum = 0;
    for (let i = 0; i < copies; i++) sum = (crc32 as Crc)(block, sum);
    const size = block.length * copies;
    const zip = buildZip([{ name: "big.csv", data: block, body }]);
    // Patch the sizes and CRC the writer took from `data` (local header, central directory).
    const cdAt = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    for (const [at, crcAt] of [
      [22, 14],
      [cdAt + 24, cdAt + 16],
    ] as const) {
      zip.writeUInt32LE(size, at);
      zip.writeUInt32LE(sum >>> 0, crcAt);
    }
    const path = writeTmp("big.zip", zip);
    const [entry] = listZipEntries(path);
    assert.ok(entry !== undefined);
    assert.equal(entry.uncompressedSize, 256 * 1024 * 1024 + (size - (256 << 20)));
    let total = 0;
    let chunks = 0;
    let largest = 0;
    for (const chunk of readZipEntry(path, entry)) {
      total += chunk.length;
      chunks++;
      largest = Math.max(largest, chunk.length);
    }
    assert.equal(total, size);
    // About 1 MiB per chunk: never the entry (or a large part of it) at once.
    assert.ok(largest <= 4 << 20, `largest chunk ${largest} bytes`);
    assert.ok(chunks >= 64, `${chunks} chunks`);
  });

  it("names the file and entry when deflate data is corrupt or cut short", () => {
    const data = Buffer.from("1767225600000,60000.10,1.5\n".repeat(2000));
    const deflated = zlib.deflateRawSync(data);
    const bad = Buffer.from(deflated);
    bad[0] = 0xff; // block type 3: invalid
    const corrupt = writeTmp("corrupt.zip", buildZip([{ name: "c.csv", data, body: bad }]));
    assert.throws(
      () => entryText(corrupt, 0),
      (e: unknown) => {
        assert.ok(e instanceof InvalidInputError);
        assert.match(e.message, /corrupt\.zip: entry c\.csv: corrupt deflate data/);
        return true;
      },
    );
    const cut = deflated.subarray(0, Math.floor(deflated.length / 2));
    const short = writeTmp("short.zip", buildZip([{ name: "s.csv", data, body: cut }]));
    assert.throws(
      () => entryText(short, 0),
      (e: unknown) => {
        assert.ok(e instanceof InvalidInputError);
        assert.match(e.message, /short\.zip: entry s\.csv: deflate data ends early/);
        return true;
      },
    );
  });

  it("says so when an entry inflates to another size than the directory says", () => {
    const data = Buffer.from("1,2\n".repeat(100));
    const body = zlib.deflateRawSync(Buffer.concat([data, data]));
    const path = writeTmp("size.zip", buildZip([{ name: "a.csv", data, body }]));
    assert.throws(() => entryText(path, 0), /size\.zip: entry a\.csv: inflates to more than/);
  });

  it("says so when a zip has no csv entry", () => {
    const path = writeTmp("nocsv.zip", buildZip([{ name: "notes.txt", data: Buffer.from("x") }]));
    assert.throws(
      () => [...csvParts(path)],
      /nocsv\.zip: zip has no \.csv entry \(entries: notes\.txt\)/,
    );
  });
});
