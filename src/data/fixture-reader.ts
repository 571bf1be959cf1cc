/**
 * Fixture directories: `events.jsonl` (or `events.json`) plus `config.json`.
 *
 * Events are validated line by line (errors name file:line and the field),
 * ordered by ts (stable for equal ts), and streamed: a fixture already in ts
 * order is read from disk on each pass with constant memory; an unordered one
 * is sorted in memory once. Events of a type other than SNAPSHOT are counted
 * and skipped, never silently.
 */

import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { InvalidInputError } from "../core/errors.js";
import type { Snapshot } from "../domain/snapshot.js";
import { readLines } from "./line-reader.js";
import { describe, snapshotFromEvent } from "./snapshot-event.js";

export type FixtureEvent =
  | { readonly kind: "snapshot"; readonly snapshot: Snapshot }
  | { readonly kind: "other"; readonly type: string };

export interface FixtureStats {
  /** Every event in the file, of any type. */
  readonly events: number;
  readonly snapshots: number;
  /** Skipped events by their type ("(none)" when the event had no type). */
  readonly skippedByType: ReadonlyMap<string, number>;
  /** Whether the file was already in ts order (streamed) or sorted in memory. */
  readonly inOrder: boolean;
}

export interface Fixture {
  readonly dir: string;
  readonly eventsPath: string;
  /** Parsed config.json ({} when the fixture has none). */
  readonly config: Readonly<Record<string, unknown>>;
  readonly stats: FixtureStats;
  /** One pass over the events in ts order; may be called again for another pass. */
  events(): Iterable<FixtureEvent>;
}

function parseEvent(raw: unknown, where: string): FixtureEvent {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new InvalidInputError(`${where}: expected a JSON object per event, got ${describe(raw)}`);
  }
  const obj = raw as Record<string, unknown>;
  const type = obj.type;
  if (type === "SNAPSHOT") return { kind: "snapshot", snapshot: snapshotFromEvent(obj, where) };
  return { kind: "other", type: typeof type === "string" ? type : "(none)" };
}

function* jsonlEvents(path: string): Generator<FixtureEvent> {
  for (const { lineNo, text } of readLines(path)) {
    if (text.trim().length === 0) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      throw new InvalidInputError(`${path}:${lineNo}: invalid JSON: ${(e as Error).message}`);
    }
    yield parseEvent(raw, `${path}:${lineNo}`);
  }
}

function jsonArrayEvents(path: string): FixtureEvent[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new InvalidInputError(`${path}: invalid JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(raw)) throw new InvalidInputError(`${path}: expected a JSON array of events`);
  return raw.map((ev, i) => parseEvent(ev, `${path}[${i}]`));
}

function eventTs(e: FixtureEvent): number {
  return e.kind === "snapshot" ? e.snapshot.ts : 0;
}

/** Read config.json of a fixture ({} if absent); must be a JSON object. */
export function readFixtureConfig(dir: string): Record<string, unknown> {
  const path = join(dir, "config.json");
  if (!existsSync(path)) return {};
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new InvalidInputError(`${path}: invalid JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new InvalidInputError(`${path}: expected a JSON object`);
  }
  return raw as Record<string, unknown>;
}

/** Open and validate a fixture directory (one full validation pass). */
export function openFixture(dir: string): Fixture {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new InvalidInputError(`fixture directory not found: ${dir}`);
  }
  const jsonl = join(dir, "events.jsonl");
  const json = join(dir, "events.json");
  const eventsPath = existsSync(jsonl) ? jsonl : existsSync(json) ? json : undefined;
  if (eventsPath === undefined) {
    throw new InvalidInputError(`${dir}: no events.jsonl or events.json in fixture directory`);
  }
  const config = readFixtureConfig(dir);
  const isJsonl = eventsPath === jsonl;

  let events = 0;
  let snapshots = 0;
  let inOrder = true;
  let lastTs = Number.NEGATIVE_INFINITY;
  const skipped = new Map<string, number>();
  const all: FixtureEvent[] | undefined = isJsonl ? undefined : jsonArrayEvents(eventsPath);
  for (const ev of all ?? jsonlEvents(eventsPath)) {
    events++;
    if (ev.kind === "snapshot") snapshots++;
    else skipped.set(ev.type, (skipped.get(ev.type) ?? 0) + 1);
    const ts = eventTs(ev);
    if (ts < lastTs) inOrder = false;
    lastTs = Math.max(lastTs, ts);
  }
  if (events === 0) throw new InvalidInputError(`${eventsPath}: fixture has no events`);

  let sorted: FixtureEvent[] | undefined;
  if (!inOrder) {
    const list = all ?? [...jsonlEvents(eventsPath)];
    // Stable: equal timestamps keep file order.
    sorted = list
      .map((e, i) => ({ e, i }))
      .sort((a, b) => eventTs(a.e) - eventTs(b.e) || a.i - b.i)
      .map((x) => x.e);
  } else if (all !== undefined) {
    sorted = all;
  }
  const stats: FixtureStats = { events, snapshots, skippedByType: skipped, inOrder };
  return {
    dir,
    eventsPath,
    config,
    stats,
    events: () => sorted ?? jsonlEvents(eventsPath),
  };
}

/** Human-readable note of skipped event types, or "" when none were skipped. */
export function skippedNote(stats: FixtureStats): string {
  if (stats.skippedByType.size === 0) return "";
  const parts = [...stats.skippedByType.entries()].map(([t, n]) => `${t}=${n}`);
  return `skipped ${stats.events - stats.snapshots} non-SNAPSHOT event(s): ${parts.join(", ")}`;
}
