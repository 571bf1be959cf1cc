/**
 * BinanceWsMockConnector: a DataConnector that replays a fixture directory's
 * events.jsonl (or events.json) as if it were the live stream. For tests,
 * soak runs and development without a network.
 */

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Sleep } from "../../src/core/clock.js";
import type { DataConnector } from "../../src/data/data-connector.js";
import type { Snapshot } from "../../src/domain/snapshot.js";
import { realSleep } from "../../src/net/clock.js";
import { ConnectorState } from "../../src/net/connector-state.js";
import { ConnectorClosedError } from "../../src/net/errors/connector-closed-error.js";
import { isConnectorError } from "../../src/net/errors/connector-error.js";
import { ConnectorNonRetryableError } from "../../src/net/errors/connector-non-retryable-error.js";
import { ConnectorTimeoutError } from "../../src/net/errors/connector-timeout-error.js";
import { ConnectorTransientError } from "../../src/net/errors/connector-transient-error.js";
import { DEFAULT_TIMEOUT_CONFIG, type TimeoutConfig } from "../../src/net/timeout-config.js";
import { realTimers, type Timers } from "../../src/net/timers.js";
import { withTimeout } from "../../src/net/with-timeout.js";
import { snapshotFromFixtureEvent } from "./fixture-snapshot.js";

export interface MockConnectorStats {
  eventsLoaded: number;
  snapshotsDelivered: number;
  duplicatesSkipped: number;
  reconnectAttempts: number;
  timeouts: number;
  transientFailuresInjected: number;
  errors: string[];
}

/** Inject transient failures: the first N connects / N reads fail. */
export interface TransientFailureConfig {
  readonly connectFailures?: number;
  readonly readFailures?: number;
  readonly failureMessage?: string;
}

export interface MockConnectorOptions {
  /** Delay before each snapshot is handed out (ms, 0 = none). */
  readonly readDelayMs?: number;
  readonly timeouts?: TimeoutConfig;
  /** Only these symbols (undefined or empty = all). */
  readonly symbols?: readonly string[];
  readonly transientFailures?: TransientFailureConfig;
  readonly sleep?: Sleep;
  readonly timers?: Timers;
}

type FixtureEvent = Readonly<Record<string, unknown>>;

function eventTs(e: FixtureEvent): number {
  return typeof e.ts === "number" ? e.ts : 0;
}

function freshStats(): MockConnectorStats {
  return {
    eventsLoaded: 0,
    snapshotsDelivered: 0,
    duplicatesSkipped: 0,
    reconnectAttempts: 0,
    timeouts: 0,
    transientFailuresInjected: 0,
    errors: [],
  };
}

export class BinanceWsMockConnector implements DataConnector {
  private stateValue: ConnectorState = ConnectorState.DISCONNECTED;
  private lastTs: number | undefined;
  private events: FixtureEvent[] = [];
  private cursor = 0;
  private connectFailuresSoFar = 0;
  private readFailuresSoFar = 0;
  private statsValue = freshStats();
  private readonly readDelayMs: number;
  private readonly timeouts: TimeoutConfig;
  private readonly symbols: ReadonlySet<string> | undefined;
  private readonly failures: Required<TransientFailureConfig>;
  private readonly sleep: Sleep;
  private readonly timers: Timers;

  constructor(
    readonly fixturePath: string,
    options: MockConnectorOptions = {},
  ) {
    this.readDelayMs = options.readDelayMs ?? 0;
    this.timeouts = options.timeouts ?? DEFAULT_TIMEOUT_CONFIG;
    this.symbols =
      options.symbols && options.symbols.length > 0 ? new Set(options.symbols) : undefined;
    this.failures = {
      connectFailures: options.transientFailures?.connectFailures ?? 0,
      readFailures: options.transientFailures?.readFailures ?? 0,
      failureMessage: options.transientFailures?.failureMessage ?? "Simulated transient failure",
    };
    this.sleep = options.sleep ?? realSleep;
    this.timers = options.timers ?? realTimers;
  }

  get state(): ConnectorState {
    return this.stateValue;
  }

  get lastSeenTs(): number | undefined {
    return this.lastTs;
  }

  get stats(): MockConnectorStats {
    return this.statsValue;
  }

  async connect(): Promise<void> {
    if (this.stateValue === ConnectorState.CLOSED) throw new ConnectorClosedError("connect");
    if (this.stateValue === ConnectorState.CONNECTED) return;
    this.stateValue = ConnectorState.CONNECTING;
    try {
      await withTimeout(
        "connect",
        this.timeouts.connectTimeoutMs,
        () => this.doConnect(),
        this.timers,
      );
    } catch (e) {
      if (this.stateValue === ConnectorState.CONNECTING)
        this.stateValue = ConnectorState.DISCONNECTED;
      if (e instanceof ConnectorTimeoutError) {
        this.statsValue.timeouts += 1;
        this.statsValue.errors.push("Connect timeout");
      } else {
        this.statsValue.errors.push(e instanceof Error ? e.message : String(e));
      }
      throw e;
    }
  }

  private async doConnect(): Promise<void> {
    if (this.connectFailuresSoFar < this.failures.connectFailures) {
      this.connectFailuresSoFar += 1;
      this.statsValue.transientFailuresInjected += 1;
      throw new ConnectorTransientError(this.failures.failureMessage);
    }
    this.events = await this.loadFixture();
    this.cursor = 0;
    this.statsValue.eventsLoaded = this.events.length;
    this.stateValue = ConnectorState.CONNECTED;
  }

  async close(): Promise<void> {
    if (this.stateValue === ConnectorState.CLOSED) return;
    this.stateValue = ConnectorState.CLOSED;
    this.events = [];
    this.cursor = 0;
  }

  async *iterSnapshots(): AsyncGenerator<Snapshot> {
    if (this.stateValue === ConnectorState.CLOSED) throw new ConnectorClosedError("iterate");
    if (this.stateValue !== ConnectorState.CONNECTED)
      throw new ConnectorNonRetryableError(`Cannot iterate: connector state is ${this.stateValue}`);
    while (this.cursor < this.events.length) {
      if (this.stateValue !== ConnectorState.CONNECTED) throw new ConnectorClosedError("iterate");
      const event = this.events[this.cursor] as FixtureEvent;
      this.cursor += 1;
      if (event.type !== "SNAPSHOT") continue;
      const symbol = typeof event.symbol === "string" ? event.symbol : "";
      if (this.symbols && !this.symbols.has(symbol)) continue;
      const ts = eventTs(event);
      if (this.lastTs !== undefined && ts <= this.lastTs) {
        this.statsValue.duplicatesSkipped += 1;
        continue;
      }
      if (this.readFailuresSoFar < this.failures.readFailures) {
        this.readFailuresSoFar += 1;
        this.statsValue.transientFailuresInjected += 1;
        // Not delivered: a reconnect resumes at this event.
        throw new ConnectorTransientError(this.failures.failureMessage);
      }
      let snapshot: Snapshot;
      try {
        snapshot = snapshotFromFixtureEvent(event);
      } catch (e) {
        if (isConnectorError(e)) throw e;
        this.statsValue.errors.push(
          `Parse error at ts=${ts}: ${e instanceof Error ? e.message : String(e)}`,
        );
        continue;
      }
      if (this.readDelayMs > 0) await this.readDelay();
      if (this.stateValue !== ConnectorState.CONNECTED) throw new ConnectorClosedError("iterate");
      this.lastTs = ts;
      this.statsValue.snapshotsDelivered += 1;
      yield snapshot;
      if (this.isClosed()) throw new ConnectorClosedError("iterate");
    }
  }

  /** The simulated wire delay; longer than the read timeout means a read timeout. */
  private async readDelay(): Promise<void> {
    const limit = this.timeouts.readTimeoutMs;
    if (limit > 0 && this.readDelayMs > limit) {
      await this.sleep(limit);
      this.statsValue.timeouts += 1;
      this.cursor -= 1; // the event was not delivered
      throw new ConnectorTimeoutError("read", limit);
    }
    await this.sleep(this.readDelayMs);
  }

  /** Re-read the state (a method call, so a check after `await`/`yield` is not narrowed away). */
  private isClosed(): boolean {
    return this.stateValue === ConnectorState.CLOSED;
  }

  async reconnect(): Promise<void> {
    if (this.stateValue === ConnectorState.CLOSED) throw new ConnectorClosedError("reconnect");
    this.stateValue = ConnectorState.RECONNECTING;
    this.statsValue.reconnectAttempts += 1;
    if (this.events.length === 0 && this.statsValue.eventsLoaded === 0) {
      // Never connected: a reconnect is a first connect.
      this.stateValue = ConnectorState.DISCONNECTED;
      await this.connect();
      return;
    }
    const last = this.lastTs;
    if (last === undefined) this.cursor = 0;
    else {
      const i = this.events.findIndex((e) => eventTs(e) > last);
      this.cursor = i === -1 ? this.events.length : i;
    }
    this.stateValue = ConnectorState.CONNECTED;
  }

  /** Forget progress (tests). */
  reset(): void {
    this.lastTs = undefined;
    this.cursor = 0;
    this.statsValue = freshStats();
    this.statsValue.eventsLoaded = this.events.length;
  }

  private async loadFixture(): Promise<FixtureEvent[]> {
    const jsonl = join(this.fixturePath, "events.jsonl");
    const json = join(this.fixturePath, "events.json");
    let events: FixtureEvent[];
    const jsonlText = await readFile(jsonl, "utf8").catch(() => undefined);
    if (jsonlText !== undefined) {
      events = [];
      const lines = jsonlText.split("\n");
      for (let i = 0; i < lines.length; i++) {
        const line = (lines[i] as string).trim();
        if (line === "") continue;
        events.push(parseEvent(line, `${jsonl}:${i + 1}`));
      }
    } else {
      const jsonText = await readFile(json, "utf8").catch(() => undefined);
      if (jsonText === undefined)
        throw new ConnectorNonRetryableError(
          `Fixture not found: no events.jsonl or events.json in ${this.fixturePath}`,
        );
      let parsed: unknown;
      try {
        parsed = JSON.parse(jsonText);
      } catch (e) {
        throw new ConnectorNonRetryableError(`Invalid fixture JSON: ${json}: ${String(e)}`);
      }
      if (!Array.isArray(parsed))
        throw new ConnectorNonRetryableError(`Invalid fixture JSON: ${json}: expected an array`);
      events = parsed.filter((e): e is FixtureEvent => typeof e === "object" && e !== null);
    }
    // Stable sort by ts, as the reference does.
    return events
      .map((e, i) => ({ e, i }))
      .sort((a, b) => eventTs(a.e) - eventTs(b.e) || a.i - b.i)
      .map((x) => x.e);
  }
}

function parseEvent(line: string, where: string): FixtureEvent {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    throw new ConnectorNonRetryableError(`Invalid fixture JSON: ${where}: ${String(e)}`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new ConnectorNonRetryableError(`Invalid fixture JSON: ${where}: expected an object`);
  return v as FixtureEvent;
}
