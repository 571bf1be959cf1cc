/** Wiring of a replay run: fixture reader -> ReplayEngine -> digest and optional result file. */

import { errorMessage } from "../../core/errors.js";
import { type Fixture, runInTsOrder } from "../../data/fixture-reader.js";
import { applyOptions, defaultOptions, REPLAY_OPTION_NAMES } from "../../kernel/kernel-options.js";
import { ReplayEngine } from "../../kernel/replay-engine.js";
import { StreamingArrayDigest } from "./digest.js";
import { assembleResult, OutputsPartFile } from "./result-writer.js";

export interface RunSummary {
  readonly digest: string;
  readonly eventsProcessed: number;
  readonly outputs: number;
  readonly errors: readonly string[];
}

/** Replay a fixture; with `outPath`, write the full result (schema of the reference) there. */
export function runReplay(
  fixture: Fixture,
  outPath?: string,
  overrides?: Readonly<Record<string, unknown>>,
): Promise<RunSummary> {
  return runInTsOrder(() => replayOnce(fixture, outPath, overrides));
}

async function replayOnce(
  fixture: Fixture,
  outPath?: string,
  overrides?: Readonly<Record<string, unknown>>,
): Promise<RunSummary> {
  let options = applyOptions(defaultOptions(), fixture.config, `${fixture.dir}/config.json`, {
    only: REPLAY_OPTION_NAMES,
  });
  if (overrides) options = applyOptions(options, overrides, "--config", { strict: true });
  const engine = new ReplayEngine({
    spacingBps: options.spacing_bps,
    levels: options.levels,
    sizePerLevel: options.size_per_level,
    pricePrecision: options.price_precision,
    quantityPrecision: options.quantity_precision,
  });
  const digest = new StreamingArrayDigest();
  const part = outPath ? new OutputsPartFile(`${outPath}.outputs-${process.pid}`) : undefined;
  const errors: string[] = [];
  let outputs = 0;
  try {
    for (const ev of fixture.events()) {
      if (ev.kind !== "snapshot") continue;
      try {
        const text = engine.processSnapshotText(ev.snapshot);
        digest.pushCanonical(text);
        part?.push(text);
        outputs++;
      } catch (e) {
        errors.push(`Error processing event at ts=${ev.snapshot.ts}: ${errorMessage(e)}`);
      }
    }
  } catch (e) {
    part?.abort();
    throw e;
  }
  const summary: RunSummary = {
    digest: digest.finish(),
    eventsProcessed: fixture.stats.events,
    outputs,
    errors,
  };
  if (outPath && part) {
    await assembleResult(
      outPath,
      {
        fixture_path: fixture.dir,
        digest: summary.digest,
        events_processed: summary.eventsProcessed,
        errors,
      },
      "outputs",
      part,
    );
  }
  return summary;
}
