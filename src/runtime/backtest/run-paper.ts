/**
 * Wiring of a paper run: fixture -> kernel and simulation venue (two passes)
 * -> digest and optional result file.
 */

import { errorMessage } from "../../core/errors.js";
import { type Fixture, runInTsOrder } from "../../data/fixture-reader.js";
import type { Snapshot } from "../../domain/snapshot.js";
import type { EngineOptions } from "../../kernel/kernel-options.js";
import { applyOptions, defaultOptions } from "../../kernel/kernel-options.js";
import { createSimulation } from "../simulation.js";
import { StreamingArrayDigest } from "./digest.js";
import { assembleResult, OutputsPartFile } from "./result-writer.js";
import type { RunSummary } from "./run-replay.js";

export interface PaperRunSummary extends RunSummary {
  readonly eventsGated: number;
  readonly ordersPlaced: number;
  readonly ordersBlocked: number;
  readonly totalFills: number;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** Engine options of a fixture: its config.json, then the overrides (strict). */
export function paperOptions(
  fixture: Fixture,
  overrides?: Readonly<Record<string, unknown>>,
): EngineOptions {
  let o = applyOptions(defaultOptions(), fixture.config, `${fixture.dir}/config.json`);
  if (overrides) o = applyOptions(o, overrides, "--config", { strict: true });
  return o;
}

function* snapshotsOf(fixture: Fixture): Generator<Snapshot> {
  for (const ev of fixture.events()) if (ev.kind === "snapshot") yield ev.snapshot;
}

/** Paper-trade a fixture; with `outPath`, write the full result there. */
export function runPaper(
  fixture: Fixture,
  outPath?: string,
  overrides?: Readonly<Record<string, unknown>>,
  onOutput?: (json: Readonly<Record<string, unknown>>) => void,
): Promise<PaperRunSummary> {
  return runInTsOrder(() => paperOnce(fixture, outPath, overrides, onOutput));
}

async function paperOnce(
  fixture: Fixture,
  outPath?: string,
  overrides?: Readonly<Record<string, unknown>>,
  onOutput?: (json: Readonly<Record<string, unknown>>) => void,
): Promise<PaperRunSummary> {
  const options = paperOptions(fixture, overrides);
  const sim = createSimulation(options, {
    ...(fixture.instruments !== undefined ? { instruments: fixture.instruments } : {}),
    ...(fixture.dataShape !== undefined ? { data: fixture.dataShape } : {}),
    ...(fixture.fundingRates !== undefined ? { fundingRates: fixture.fundingRates } : {}),
    ...(fixture.leverageBrackets !== undefined
      ? { leverageBrackets: fixture.leverageBrackets }
      : {}),
  });
  // Top-K v0 keeps only the last window of prices per symbol: a light scan
  // finds those (the full pass below still validates every line).
  const tail =
    options.topk_v1_enabled || fixture.tailSnapshots === undefined
      ? undefined
      : fixture.tailSnapshots(options.topk_window_size);
  sim.kernel.selectionPass(tail ?? snapshotsOf(fixture));
  const digest = new StreamingArrayDigest();
  const part = outPath ? new OutputsPartFile(`${outPath}.outputs-${process.pid}`) : undefined;
  const errors: string[] = [];
  let outputs = 0;
  try {
    for (const s of snapshotsOf(fixture)) {
      try {
        const out = sim.step(s);
        if (out === undefined) continue;
        digest.pushCanonical(out.digestText());
        part?.push(out.text());
        onOutput?.(out.json);
        outputs++;
      } catch (e) {
        errors.push(`Error processing event at ts=${s.ts}: ${errorMessage(e)}`);
      }
    }
  } catch (e) {
    part?.abort();
    throw e;
  }
  const fields = sim.kernel.finish(fixture.stats.events);
  const summary: PaperRunSummary = {
    digest: digest.finish(),
    eventsProcessed: fixture.stats.events,
    outputs,
    errors,
    eventsGated: fields.events_gated as number,
    ordersPlaced: fields.orders_placed as number,
    ordersBlocked: fields.orders_blocked as number,
    totalFills: fields.total_fills as number,
    fields,
  };
  if (outPath && part) {
    await assembleResult(
      outPath,
      { ...fields, fixture_path: fixture.dir, digest: summary.digest, errors },
      "outputs",
      part,
    );
  }
  return summary;
}
