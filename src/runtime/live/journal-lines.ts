/**
 * The lines of a live run's journal (JSON, one object per line), version 2.
 *
 * - `session`: an instance starts writing (at start, or on becoming ACTIVE):
 *   the instance, the mode, the fingerprint of the engine options, the seq
 *   of its first tick, and (live_trade) the journal's run id, from which the
 *   exchange's client order ids derive; every session of a journal has the
 *   same run id.
 * - `tick`: one market event: the input snapshot (decimal strings, exactly as
 *   received), the command batch the kernel decided for it (`commands`, in
 *   order; read_only: `executed: false`, never sent), the events a
 *   simulation venue answered within the tick (paper: `events`), and the
 *   kernel's output (paper, live_trade: whole; read_only: the decisions
 *   only), or the error it raised.
 * - `events` (live_trade): order events the venue reported after a tick, in
 *   order: the answers to the tick's commands (`cause: "tick"`), what a sync
 *   found (`"sync"`), or what the reconciliation after a takeover found
 *   (`"reconcile"`, with the exchange's orders the kernel does not hold in
 *   `untracked`: strays of our prefix and foreign orders, and what was done
 *   with them).
 * - `session_end`: a clean stop of the writer, with the kernel's summary at
 *   that point (live_trade: also the venue's orders not yet done).
 *
 * Every line carries `epoch`, the writer's HA fencing epoch (the lease
 * acquisition it writes under; without HA the journal's last epoch, 0 for a
 * new journal; a line without it reads as 0). A writer refuses to append when
 * the journal's last line has a higher epoch than its own: a deposed leader
 * that resumes cannot write after its successor (`live-journal.ts`).
 *
 * Snapshots and events are the kernel's whole input, in the order it saw
 * them, so a replay rebuilds it exactly (`journal-replayer.ts`).
 */

import type { JsonValue } from "../../core/canonical-json.js";
import { ConfigError, InvalidInputError } from "../../core/errors.js";
import { snapshotFromEvent } from "../../data/snapshot-event.js";
import { orderCommandFromJson, orderEventFromJson } from "../../domain/order-json.js";
import type { OrderCommand, VenueEvent } from "../../domain/orders.js";
import type { Snapshot } from "../../domain/snapshot.js";

export const JOURNAL_VERSION = 2;

export type JournalMode = "read_only" | "paper" | "live_trade";

const JOURNAL_MODES: readonly JournalMode[] = ["read_only", "paper", "live_trade"];

export interface JournalSessionLine {
  readonly type: "session";
  readonly v: number;
  readonly instance_id: string;
  readonly mode: JournalMode;
  readonly source: string;
  readonly options_fingerprint: string;
  readonly wall_ms: number;
  /** Sequence number the session's first tick will carry. */
  readonly next_seq: number;
  /** live_trade: the journal's run id (client order ids derive from it). */
  readonly run_id?: string;
  /** The writer's fencing epoch (absent: 0). */
  readonly epoch?: number;
}

export interface JournalTickLine {
  readonly type: "tick";
  /** 1, 2, 3, ... over the whole journal, across sessions. */
  readonly seq: number;
  readonly wall_ms: number;
  readonly mode: JournalMode;
  /** True when the commands were carried out (paper: simulated; live_trade: sent). */
  readonly executed: boolean;
  readonly snapshot: Readonly<Record<string, string | number>>;
  /** The kernel's command batch (order-json form). */
  readonly commands: readonly JsonValue[];
  /** Events a simulation venue answered within the tick (paper). */
  readonly events?: readonly JsonValue[];
  /** The kernel's output (null when it produced none or failed). */
  readonly output: unknown;
  readonly error?: string;
  /** The writer's fencing epoch (absent: 0). */
  readonly epoch?: number;
}

/** An open order on the exchange that the kernel does not hold, and what was done with it. */
export interface JournalUntracked {
  readonly symbol: string;
  readonly client_order_id: string;
  readonly action: "stray" | "stray_cancelled" | "stray_cancel_failed" | "foreign";
  readonly detail?: string;
}

export type EventsCause = "tick" | "sync" | "reconcile";

export interface JournalEventsLine {
  readonly type: "events";
  /** Seq of the last tick before these events (0: before the first). */
  readonly seq: number;
  readonly wall_ms: number;
  readonly cause: EventsCause;
  readonly events: readonly JsonValue[];
  readonly untracked?: readonly JournalUntracked[];
  /** The writer's fencing epoch (absent: 0). */
  readonly epoch?: number;
}

export interface JournalSessionEndLine {
  readonly type: "session_end";
  readonly instance_id: string;
  readonly wall_ms: number;
  readonly last_seq: number;
  readonly reason: string;
  readonly summary: unknown;
  /** live_trade: the venue's orders not yet done (kernel and exchange ids, state). */
  readonly venue_orders?: unknown;
  /** The writer's fencing epoch (absent: 0). */
  readonly epoch?: number;
}

export type JournalLine =
  | JournalSessionLine
  | JournalTickLine
  | JournalEventsLine
  | JournalSessionEndLine;

/** A parsed line with its position; ticks carry their snapshot and commands, event lines their events. */
export type JournalEntry =
  | { readonly lineNo: number; readonly line: JournalSessionLine }
  | {
      readonly lineNo: number;
      readonly line: JournalTickLine;
      readonly snapshot: Snapshot;
      readonly commands: readonly OrderCommand[];
      readonly events: readonly VenueEvent[];
    }
  | {
      readonly lineNo: number;
      readonly line: JournalEventsLine;
      readonly events: readonly VenueEvent[];
    }
  | { readonly lineNo: number; readonly line: JournalSessionEndLine };

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function bad(where: string, what: string): never {
  throw new InvalidInputError(`${where}: ${what}`);
}

function intField(o: Obj, k: string, where: string): number {
  const v = o[k];
  if (typeof v !== "number" || !Number.isSafeInteger(v))
    bad(where, `field "${k}": expected an integer, got ${JSON.stringify(v)}`);
  return v as number;
}

function strField(o: Obj, k: string, where: string): string {
  const v = o[k];
  if (typeof v !== "string")
    bad(where, `field "${k}": expected a string, got ${JSON.stringify(v)}`);
  return v as string;
}

function optStrField(o: Obj, k: string, where: string): string | undefined {
  return o[k] === undefined ? undefined : strField(o, k, where);
}

function arrayField(o: Obj, k: string, where: string): JsonValue[] {
  const v = o[k];
  if (!Array.isArray(v)) bad(where, `field "${k}": expected an array, got ${JSON.stringify(v)}`);
  return v as JsonValue[];
}

function modeField(o: Obj, where: string): JournalMode {
  const m = JOURNAL_MODES.find((x) => x === o.mode);
  if (m === undefined)
    bad(
      where,
      `field "mode": expected "read_only", "paper" or "live_trade", got ${JSON.stringify(o.mode)}`,
    );
  return m as JournalMode;
}

const UNTRACKED_ACTIONS = ["stray", "stray_cancelled", "stray_cancel_failed", "foreign"] as const;

function untrackedOf(raw: unknown, where: string): JournalUntracked {
  if (!isObj(raw)) bad(where, "untracked order: expected an object");
  const o = raw as Obj;
  const action = UNTRACKED_ACTIONS.find((a) => a === o.action);
  if (action === undefined)
    bad(where, `untracked order "action": expected one of ${UNTRACKED_ACTIONS.join(", ")}`);
  const detail = optStrField(o, "detail", where);
  return {
    symbol: strField(o, "symbol", where),
    client_order_id: strField(o, "client_order_id", where),
    action: action as JournalUntracked["action"],
    ...(detail !== undefined ? { detail } : {}),
  };
}

/** The fencing epoch of a line (0 when absent). */
export function epochOf(line: JournalLine): number {
  return line.epoch ?? 0;
}

/** Validate one parsed line. */
export function parseJournalLine(raw: unknown, where: string): JournalLine {
  if (!isObj(raw)) bad(where, "expected a JSON object");
  const o = raw as Obj;
  const line = parseLineBody(o, where);
  if (o.epoch === undefined) return line;
  const epoch = intField(o, "epoch", where);
  if (epoch < 0) bad(where, `field "epoch": expected an integer >= 0, got ${epoch}`);
  return { ...line, epoch };
}

function parseLineBody(o: Obj, where: string): JournalLine {
  switch (o.type) {
    case "session": {
      const runId = optStrField(o, "run_id", where);
      return {
        type: "session",
        v: intField(o, "v", where),
        instance_id: strField(o, "instance_id", where),
        mode: modeField(o, where),
        source: strField(o, "source", where),
        options_fingerprint: strField(o, "options_fingerprint", where),
        wall_ms: intField(o, "wall_ms", where),
        next_seq: intField(o, "next_seq", where),
        ...(runId !== undefined ? { run_id: runId } : {}),
      };
    }
    case "tick": {
      if (!isObj(o.snapshot)) bad(where, 'field "snapshot": expected an object');
      if (typeof o.executed !== "boolean") bad(where, 'field "executed": expected a boolean');
      if (o.error !== undefined && typeof o.error !== "string")
        bad(where, 'field "error": expected a string');
      return {
        type: "tick",
        seq: intField(o, "seq", where),
        wall_ms: intField(o, "wall_ms", where),
        mode: modeField(o, where),
        executed: o.executed as boolean,
        snapshot: o.snapshot as Record<string, string | number>,
        commands: arrayField(o, "commands", where),
        ...(o.events !== undefined ? { events: arrayField(o, "events", where) } : {}),
        output: o.output ?? null,
        ...(typeof o.error === "string" ? { error: o.error } : {}),
      };
    }
    case "events": {
      const cause = o.cause;
      if (cause !== "tick" && cause !== "sync" && cause !== "reconcile")
        bad(
          where,
          `field "cause": expected "tick", "sync" or "reconcile", got ${JSON.stringify(cause)}`,
        );
      const untracked =
        o.untracked === undefined
          ? undefined
          : arrayField(o, "untracked", where).map((x) => untrackedOf(x, where));
      return {
        type: "events",
        seq: intField(o, "seq", where),
        wall_ms: intField(o, "wall_ms", where),
        cause: cause as EventsCause,
        events: arrayField(o, "events", where),
        ...(untracked !== undefined ? { untracked } : {}),
      };
    }
    case "session_end":
      return {
        type: "session_end",
        instance_id: strField(o, "instance_id", where),
        wall_ms: intField(o, "wall_ms", where),
        last_seq: intField(o, "last_seq", where),
        reason: strField(o, "reason", where),
        summary: o.summary ?? null,
        ...(o.venue_orders !== undefined ? { venue_orders: o.venue_orders } : {}),
      };
    default:
      return bad(where, `unknown line type ${JSON.stringify(o.type)}`);
  }
}

/** One line of text, parsed and validated, with its snapshot, commands and events decoded. */
export function parseJournalEntry(text: string, lineNo: number, where: string): JournalEntry {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new InvalidInputError(`${where}: invalid JSON: ${(e as Error).message}`);
  }
  const line = parseJournalLine(raw, where);
  const events = (list: readonly JsonValue[] | undefined): VenueEvent[] =>
    (list ?? []).map((e, i) => orderEventFromJson(e, `${where}: events[${i}]`));
  if (line.type === "tick")
    return {
      lineNo,
      line,
      snapshot: snapshotFromEvent({ ...line.snapshot }, where, "journal"),
      commands: line.commands.map((c, i) => orderCommandFromJson(c, `${where}: commands[${i}]`)),
      events: events(line.events),
    };
  if (line.type === "events") return { lineNo, line, events: events(line.events) };
  return { lineNo, line } as JournalEntry;
}

/** What a run continuing a journal must match. */
export interface JournalIdentity {
  readonly mode: JournalMode;
  readonly fingerprint: string;
  /** The market data's kind, "fixture" or "binance" (unchecked when absent). */
  readonly sourceKind?: string;
}

/** The kind of a session line's source ("fixture:DIR" -> fixture, "binance (URL)" -> binance). */
export function sourceKindOf(source: string): string {
  return source.startsWith("fixture:") ? "fixture" : (source.split(/[\s:(]/)[0] ?? source);
}

const START_AFRESH =
  "start afresh with --journal FILE (another journal) or --state-dir DIR (another directory), " +
  "or move this journal away";

/** Refuses (ConfigError) a session line that `run` cannot continue, naming file, reason and flags. */
export function checkSessionLine(
  line: JournalSessionLine,
  where: string,
  run: JournalIdentity,
): void {
  if (line.v !== JOURNAL_VERSION)
    throw new ConfigError(
      `${where}: journal version ${line.v}, expected ${JOURNAL_VERSION}; ${START_AFRESH}`,
    );
  if (line.mode !== run.mode)
    throw new ConfigError(
      `${where}: the journal was written in mode ${line.mode}; this run is mode ${run.mode}. ` +
        `Continue it in mode ${line.mode}, or ${START_AFRESH}`,
    );
  const kind = sourceKindOf(line.source);
  if (run.sourceKind !== undefined && kind !== run.sourceKind)
    throw new ConfigError(
      `${where}: the journal was written from market data ${line.source}; this run reads ` +
        `${run.sourceKind}. Continue it with --source ${kind === "fixture" ? line.source : kind}, or ${START_AFRESH}`,
    );
  if (line.options_fingerprint !== run.fingerprint)
    throw new ConfigError(
      `${where}: the journal was written with engine options ${line.options_fingerprint}; ` +
        `this run has options ${run.fingerprint} (another --config, fixture config.json or ` +
        `version). Continue it with the same options, or ${START_AFRESH}`,
    );
}
