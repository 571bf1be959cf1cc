/** Writing generated fixtures and recording their canonical digests. */

import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { GeneratorSpec } from "../../data/fixture-generator.js";
import { generateEvents } from "../../data/fixture-generator.js";
import { openFixture, readFixtureConfig } from "../../data/fixture-reader.js";
import { runPaper } from "./run-paper.js";
import { runReplay } from "./run-replay.js";

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** Write events.jsonl for a spec into `dir`; returns the number of events. */
export function writeGeneratedEvents(dir: string, spec: GeneratorSpec): number {
  mkdirSync(dir, { recursive: true });
  const events = generateEvents(spec);
  writeAtomic(join(dir, "events.jsonl"), events.map((e) => e.line).join("\n") + "\n");
  return events.length;
}

export interface RecordedDigests {
  readonly replay: string;
  readonly paper: string;
}

/** Compute the fixture's replay and paper digests and store them in its config.json. */
export async function recordDigests(dir: string): Promise<RecordedDigests> {
  const fixture = openFixture(dir);
  const replay = (await runReplay(fixture)).digest;
  const paper = (await runPaper(fixture)).digest;
  const config = { ...readFixtureConfig(dir) };
  config.expected_replay_digest = replay;
  config.expected_paper_digest = paper;
  writeAtomic(join(dir, "config.json"), JSON.stringify(config, null, 2) + "\n");
  return { replay, paper };
}

/** Read a JSON file as an object, naming the file on error. */
export function readJsonObject(path: string): Record<string, unknown> {
  const raw: unknown = JSON.parse(readFileSync(path, "utf8"));
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new Error(`${path}: expected a JSON object`);
  }
  return raw as Record<string, unknown>;
}
