import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { byteLines, fileChunks, splitLines } from "./byte-lines.js";

function lines(chunks: Buffer[]): string[] {
  return [...splitLines(chunks)].map((l) => `${l.lineNo}:${l.text}`);
}

describe("splitLines", () => {
  it("splits on LF and CRLF, keeps blank lines, counts a last line without newline", () => {
    assert.deepEqual(lines([Buffer.from("a,1\r\nb,2\n\nc,3")]), ["1:a,1", "2:b,2", "3:", "4:c,3"]);
    assert.deepEqual(lines([Buffer.from("a\n")]), ["1:a"]);
    assert.deepEqual(lines([]), []);
  });

  it("joins lines cut across chunks, also inside a CRLF and a multi-byte character", () => {
    const text = "héllo,1\r\nwörld,2\r\nend";
    const bytes = Buffer.from(text);
    // Every way to cut the bytes in three chunks gives the same lines.
    for (let i = 0; i <= bytes.length; i++) {
      for (let j = i; j <= bytes.length; j++) {
        const got = lines([bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)]);
        assert.deepEqual(got, ["1:héllo,1", "2:wörld,2", "3:end"], `cut at ${i},${j}`);
      }
    }
  });

  it("streams a file larger than one chunk", () => {
    const dir = mkdtempSync(join(tmpdir(), "grinder-lines-"));
    try {
      const path = join(dir, "big.csv");
      const n = 300_000; // about 3.6 MB: four 1 MiB chunks
      const rows: string[] = [];
      for (let i = 0; i < n; i++) rows.push(`${i},${(i * 7) % 1000}.25`);
      writeFileSync(path, rows.join("\n") + "\n");
      let count = 0;
      let last = "";
      for (const l of splitLines(fileChunks(path))) {
        count++;
        assert.equal(l.lineNo, count);
        last = l.text;
        if (count === 70_001) assert.equal(l.text, "70000,0.25");
      }
      assert.equal(count, n);
      assert.equal(last, `${n - 1},${((n - 1) * 7) % 1000}.25`);
      assert.ok([...fileChunks(path)].length >= 3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("byteLines offsets", () => {
  it("give each line's first byte in the whole stream, across chunk boundaries and CRLF", () => {
    const text = "ab\r\ncdefg\n\nhij";
    // Chunks cutting a line twice, and one ending just after a newline.
    const chunks = [
      Buffer.from("ab\r\ncd"),
      Buffer.from("e"),
      Buffer.from("fg\n"),
      Buffer.from("\nhij"),
    ];
    // The line object is reused: read each before asking for the next.
    const seen: string[] = [];
    for (const l of byteLines(chunks)) {
      seen.push(`${l.offset}:${l.buf.toString("latin1", l.start, l.end)}`);
    }
    // Each line's offset is where its text starts in `text`.
    assert.deepEqual(seen, ["0:ab", "4:cdefg", "10:", "11:hij"]);
    assert.equal(text.indexOf("cdefg"), 4);
    assert.equal(text.indexOf("hij"), 11);
  });
});
