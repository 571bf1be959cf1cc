/** Temporary fixture directories for tests (removed by the returned cleanup). */

import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export async function makeTempFixture(
  files: Readonly<Record<string, string>>,
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), "grinder-live-"));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text, "utf8");
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** One SNAPSHOT line with string decimals. */
export function snapshotLine(
  ts: number,
  symbol: string,
  bid: string,
  ask: string,
  extra: Readonly<Record<string, unknown>> = {},
): string {
  return JSON.stringify({
    type: "SNAPSHOT",
    ts,
    symbol,
    bid_price: bid,
    ask_price: ask,
    bid_qty: "1.5",
    ask_qty: "2.25",
    last_price: bid,
    last_qty: "0.1",
    ...extra,
  });
}
