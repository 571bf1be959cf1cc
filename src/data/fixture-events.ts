/**
 * The events of a fixture's lines: SNAPSHOT events, and the reference's
 * other event types (counted and skipped by the reader), validated with
 * file:line in every error. Read on the calling thread (`jsonlEvents`) or on
 * a reading thread (fixture-thread.ts).
 */

import { InvalidInputError } from "../core/errors.js";
import type { Snapshot } from "../domain/snapshot.js";
import { byteLines, contentStart, fileChunks } from "./byte-lines.js";
import { describe, snapshotFromEvent } from "./snapshot-event.js";
import { parseSnapshotBytes } from "./snapshot-line.js";

export type FixtureEvent =
  | { readonly kind: "snapshot"; readonly snapshot: Snapshot }
  | { readonly kind: "other"; readonly type: string; readonly where: string };

/** Event types of the reference's fixtures that carry no quote: counted and skipped. */
export const SKIPPED_EVENT_TYPES: readonly string[] = ["TRADE", "BOOK_TICKER"];

export function parseEvent(raw: unknown, where: string): FixtureEvent {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new InvalidInputError(`${where}: expected a JSON object per event, got ${describe(raw)}`);
  }
  const obj = raw as Record<string, unknown>;
  const type = obj.type;
  if (type === "SNAPSHOT") return { kind: "snapshot", snapshot: snapshotFromEvent(obj, where) };
  if (typeof type === "string" && SKIPPED_EVENT_TYPES.includes(type)) {
    return { kind: "other", type, where };
  }
  throw new InvalidInputError(
    `${where}: field "type": expected "SNAPSHOT" (or ${SKIPPED_EVENT_TYPES.join(", ")}, counted and skipped), got ${describe(type)}`,
  );
}

/** The general path for one line: JSON.parse and validation, with file:line in errors. */
function parseLine(path: string, lineNo: number, text: string): FixtureEvent | undefined {
  if (text.trim().length === 0) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new InvalidInputError(`${path}:${lineNo}: invalid JSON: ${(e as Error).message}`);
  }
  return parseEvent(raw, `${path}:${lineNo}`);
}

/**
 * Events of a JSONL file. Plain SNAPSHOT lines are parsed from their bytes in
 * the read chunk (no line strings); any other line takes the general path.
 */
export function* jsonlEvents(path: string): Generator<FixtureEvent> {
  for (const l of byteLines(fileChunks(path))) {
    const start = contentStart(l);
    const fast = parseSnapshotBytes(l.buf, start, l.end);
    if (fast !== undefined) {
      yield { kind: "snapshot", snapshot: fast };
      continue;
    }
    const ev = parseLine(path, l.lineNo, l.buf.toString("utf8", start, l.end));
    if (ev !== undefined) yield ev;
  }
}
