/**
 * The live process shell: HTTP endpoints, metrics, optional HA leader
 * election and a pluggable trading loop, with an orderly shutdown on
 * SIGINT/SIGTERM or after `--duration-s`.
 *
 * Shutdown order: stop the trading loop, then leave the HA race (STANDBY
 * first, then give the lock back), then close the HTTP server.
 */

import { existsSync } from "node:fs";
import { errorMessage, isGrinderError } from "../core/errors.js";
import { type HaConfig, loadHaConfig, redactRedisUrl } from "./ha/ha-config.js";
import { HaRole, HaStateHolder } from "./ha/ha-state.js";
import { LeaderElector, type LeaderElectorOptions } from "./ha/leader-elector.js";
import { OpsHttpServer } from "./http-server.js";
import { createIdleTradingLoop } from "./idle-trading-loop.js";
import { formatLiveSource, LIVE_USAGE, type LiveOptions, parseLiveArgs } from "./live-options.js";
import { GrinderMetrics } from "./metrics/grinder-metrics.js";
import type { OpsEnv, OpsIo } from "./ops-io.js";
import type { TradingLoopFactory } from "./trading-loop.js";

export type ShutdownSignal = "SIGINT" | "SIGTERM";

/** Where shutdown signals come from (the process by default). */
export interface SignalSource {
  on(event: ShutdownSignal, listener: () => void): unknown;
  off(event: ShutdownSignal, listener: () => void): unknown;
}

export interface LiveDeps {
  /** Epoch milliseconds (default Date.now). */
  readonly clock?: () => number;
  readonly tradingLoopFactory?: TradingLoopFactory;
  readonly signals?: SignalSource;
  /** Called once the HTTP server listens, with the bound port. */
  readonly onListening?: (port: number) => void;
  /** Called with the runtime's pieces once everything is started (tests, embedding). */
  readonly onStarted?: (rt: LiveRuntimeHandle) => void;
  /** Overrides of the elector settings derived from the environment. */
  readonly electorOverrides?: Partial<LeaderElectorOptions>;
}

export interface LiveRuntimeHandle {
  readonly port: number;
  readonly metrics: GrinderMetrics;
  readonly haState: HaStateHolder;
  readonly haConfig: HaConfig;
  /** Ask for shutdown, as a signal would. */
  readonly stop: (reason?: string) => void;
}

/** Run a live process with parsed options; resolves with the exit code. */
export async function runLive(
  options: LiveOptions,
  env: OpsEnv,
  io: OpsIo,
  deps: LiveDeps = {},
): Promise<number> {
  const clock = deps.clock ?? (() => Date.now());
  const haConfig = loadHaConfig(env);
  const startedAtMs = clock();
  const metrics = new GrinderMetrics({ clock, startedAtMs });
  const haState = new HaStateHolder(haConfig.instanceId);
  metrics.setHaRole(haState.role);

  io.stdout("GRINDER starting...");
  io.stdout(`  symbols: ${options.symbols.join(",")}`);
  io.stdout(`  source: ${formatLiveSource(options.source)}  mode: ${options.mode}`);

  const server = new OpsHttpServer({
    clock,
    startedAtMs,
    role: () => haState.role,
    metricsText: () => metrics.render(),
  });
  let port: number;
  try {
    port = await server.listen(options.metricsPort, options.metricsHost);
  } catch (e) {
    io.stderr(`cannot serve on ${options.metricsHost}:${options.metricsPort}: ${errorMessage(e)}`);
    return 1;
  }
  io.stdout(`  health:  http://localhost:${port}/healthz`);
  io.stdout(`  ready:   http://localhost:${port}/readyz`);
  io.stdout(`  metrics: http://localhost:${port}/metrics`);
  deps.onListening?.(port);

  const controller = new AbortController();
  const stop = (reason = "stop requested"): void => {
    if (controller.signal.aborted) return;
    io.stdout(`shutting down: ${reason}`);
    controller.abort(reason);
  };

  const loop = (deps.tradingLoopFactory ?? createIdleTradingLoop)({
    options,
    metrics,
    role: () => haState.role,
    mayTrade: () => !haConfig.enabled || haState.role === HaRole.ACTIVE,
    clock,
    log: io.stdout,
  });
  const unsubscribe = haState.onRoleChange((role, previous) => {
    metrics.setHaRole(role);
    io.stdout(`HA role changed: ${previous} -> ${role}`);
    loop.onRoleChange(role);
  });

  let elector: LeaderElector | null = null;
  if (haConfig.enabled) {
    io.stdout(
      `  HA: enabled, redis ${redactRedisUrl(haConfig.redisUrl)}, lock TTL ${haConfig.lockTtlMs} ms, ` +
        `renew every ${haConfig.renewIntervalMs} ms, instance ${haConfig.instanceId}`,
    );
    elector = new LeaderElector({
      redisUrl: haConfig.redisUrl,
      instanceId: haConfig.instanceId,
      lockKey: haConfig.lockKey,
      lockTtlMs: haConfig.lockTtlMs,
      renewIntervalMs: haConfig.renewIntervalMs,
      log: io.stdout,
      ...deps.electorOverrides,
      state: haState,
    });
    elector.start();
  } else {
    io.stdout(
      "  HA: disabled (role stays unknown, /readyz answers 503; set GRINDER_HA_ENABLED=true)",
    );
  }

  const signals: SignalSource = deps.signals ?? process;
  const onSigint = (): void => stop("SIGINT");
  const onSigterm = (): void => stop("SIGTERM");
  signals.on("SIGINT", onSigint);
  signals.on("SIGTERM", onSigterm);
  const timer =
    options.durationS > 0
      ? setTimeout(
          () => stop(`duration of ${options.durationS} s reached`),
          options.durationS * 1000,
        )
      : null;

  deps.onStarted?.({ port, metrics, haState, haConfig, stop });
  io.stdout("GRINDER running. Press Ctrl+C to stop.");

  let code = 0;
  try {
    await loop.start(controller.signal);
  } catch (e) {
    io.stderr(`trading loop failed: ${errorMessage(e)}`);
    code = 1;
  } finally {
    if (!controller.signal.aborted) stop("trading loop finished");
    if (timer !== null) clearTimeout(timer);
    signals.off("SIGINT", onSigint);
    signals.off("SIGTERM", onSigterm);
    if (elector !== null) {
      io.stdout("  stopping leader election");
      await elector.stop();
    }
    unsubscribe();
    await server.close();
    io.stdout("GRINDER stopped.");
  }
  return code;
}

/** `grinder live ARGS`: parse, validate the environment, run. Exit 2 on bad input. */
export async function runLiveCommand(
  argv: readonly string[],
  env: OpsEnv,
  io: OpsIo,
  deps: LiveDeps = {},
): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.stdout(`Usage: ${LIVE_USAGE}`);
    return 0;
  }
  let options: LiveOptions;
  try {
    options = parseLiveArgs(argv);
    loadHaConfig(env);
    if (options.source.kind === "fixture" && !existsSync(options.source.dir)) {
      io.stderr(`grinder live: --source: ${options.source.dir} does not exist`);
      return 2;
    }
  } catch (e) {
    if (!isGrinderError(e)) throw e;
    io.stderr(`grinder live: ${errorMessage(e)}`);
    io.stderr(`Usage: ${LIVE_USAGE}`);
    return 2;
  }
  return runLive(options, env, io, deps);
}

/** `grinder live` as a CLI command entry (name, summary, usage, run). */
export const liveCommandDef = {
  name: "live",
  summary: "run live: /healthz, /readyz, /metrics, HA leader election, trading loop",
  usage: LIVE_USAGE,
  run: (argv: readonly string[], io: OpsIo & { readonly env: OpsEnv }): Promise<number> =>
    runLiveCommand(argv, io.env, io),
} as const;
