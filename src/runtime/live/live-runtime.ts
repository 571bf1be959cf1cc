/**
 * The live process shell: HTTP endpoints, metrics, optional HA leader
 * election and the trading loop (by default the live trading loop of
 * `live-trading-loop.ts`: feed -> engine -> journal), with an orderly
 * shutdown on SIGINT/SIGTERM, after `--duration-s`, or when a fixture feed
 * ends.
 *
 * Shutdown order: stop the trading loop (it closes its feed and journal),
 * then leave the HA race (STANDBY first, then give the lock back), then
 * close the HTTP server. The loop stops before the lock is given back, so a
 * standby that takes over finds the journal complete.
 */

import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { errorMessage, isGrinderError } from "../../core/errors.js";
import type { OpsEnv, OpsIo } from "../../core/io-types.js";
import { getConnectorMetrics } from "../../net/connector-metrics.js";
import { type HaConfig, loadHaConfig, redactRedisUrl } from "../../ops/ha/ha-config.js";
import { HaRole, HaStateHolder } from "../../ops/ha/ha-state.js";
import { LeaderElector, type LeaderElectorOptions } from "../../ops/ha/leader-elector.js";
import { OpsHttpServer } from "../../ops/http-server.js";
import { mirrorConnectorMetrics } from "../../ops/metrics/connector-mirror.js";
import { GrinderMetrics } from "../../ops/metrics/grinder-metrics.js";
import { resolveWsApiUrl, withAllowedHosts } from "../../venues/binance/binance-urls.js";
import { type BinanceEndpoints, resolveBinanceEndpoints } from "../../venues/binance/endpoints.js";
import { liveTradeArmingProblem } from "../../venues/binance/live-trade-arming.js";
import { exchangeInfoFrom, liveTradeInstruments } from "./live-instruments.js";
import { prepareJournalLocation } from "./live-journal.js";
import { formatLiveSource, type LiveOptions } from "./live-options.js";
import {
  DEFAULT_STATE_DIR,
  LIVE_RUN_USAGE,
  type LiveRunOptions,
  liveJournalPath,
  parseLiveRunArgs,
  processOptionsOf,
  withRunDefaults,
} from "./live-runtime-options.js";
import { type LiveLoopDeps, liveTradingLoopFactory } from "./live-trading-loop.js";
import type { TradingLoop, TradingLoopContext, TradingLoopFactory } from "./trading-loop.js";
import { usdmAccountProblem } from "./usdm-preflight.js";

export type ShutdownSignal = "SIGINT" | "SIGTERM";

/** Where shutdown signals come from (the process by default). */
export interface SignalSource {
  on(event: ShutdownSignal, listener: () => void): unknown;
  off(event: ShutdownSignal, listener: () => void): unknown;
}

export interface LiveDeps {
  /** Epoch milliseconds (default Date.now). */
  readonly clock?: () => number;
  /** Replaces the live trading loop (tests, embedding; `createIdleTradingLoop` trades nothing). */
  readonly tradingLoopFactory?: TradingLoopFactory;
  /** Dependencies of the live trading loop (sleep, connector metrics, retry backoff, hooks). */
  readonly liveLoop?: LiveLoopDeps;
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
  readonly loop: TradingLoop;
  /** Ask for shutdown, as a signal would. */
  readonly stop: (reason?: string) => void;
}

/**
 * The journal of a run. An explicit --journal or --state-dir is used as
 * given (a problem there stops the run); when the default place cannot be
 * written (an image whose working directory belongs to another user), the
 * journal goes to the temp directory instead, with a warning.
 */
function resolveJournalPath(options: LiveRunOptions, io: OpsIo): string {
  const path = liveJournalPath(options);
  if (options.journalPath !== undefined || options.stateDir !== DEFAULT_STATE_DIR) return path;
  try {
    prepareJournalLocation(path);
    return path;
  } catch (e) {
    const fallback = join(tmpdir(), "grinder-state", basename(path));
    io.stderr(
      `warning: ${errorMessage(e)}; journaling to ${fallback} instead ` +
        "(not shared with other instances; set --state-dir or --journal)",
    );
    return fallback;
  }
}

/** Run a live process with parsed options; resolves with the exit code. */
export async function runLive(
  liveOptions: LiveOptions | LiveRunOptions,
  env: OpsEnv,
  io: OpsIo,
  deps: LiveDeps = {},
): Promise<number> {
  const options = withRunDefaults(liveOptions);
  let endpoints: BinanceEndpoints;
  try {
    // --allow-host joins GRINDER_ALLOW_HOSTS for every connection of the run.
    env = withAllowedHosts(env, options.allowHosts);
    // The mainnet guard applies to the URLs finally used, in every mode.
    endpoints = resolveBinanceEndpoints(
      options.market === "um" ? "usdm" : "spot",
      { restUrl: options.restUrl, wsUrl: options.wsUrl },
      env,
    );
    if (options.mode === "live_trade" && options.userStream) resolveWsApiUrl(options.wsApiUrl, env);
  } catch (e) {
    if (!isGrinderError(e)) throw e;
    io.stderr(`grinder live: ${errorMessage(e)}`);
    return 2;
  }
  if (options.mode === "live_trade" && deps.tradingLoopFactory === undefined) {
    // Refused before anything starts or touches the disk (the loop checks again).
    const problem =
      liveTradeArmingProblem(env, options.confirmTestnet) ??
      (options.market === "um"
        ? await usdmAccountProblem(endpoints.rest.url, env, io.stdout)
        : undefined);
    if (problem !== undefined) {
      io.stderr(`grinder live: ${problem}`);
      return 2;
    }
  }
  const clock = deps.clock ?? (() => Date.now());
  const haConfig = loadHaConfig(env);
  const startedAtMs = clock();
  const metrics = new GrinderMetrics({ clock, startedAtMs });
  const haState = new HaStateHolder(haConfig.instanceId);
  metrics.setHaRole(haState.role);
  const connectorMetrics = deps.liveLoop?.connectorMetrics ?? getConnectorMetrics();
  mirrorConnectorMetrics(metrics, connectorMetrics);
  const journalPath =
    deps.tradingLoopFactory === undefined
      ? resolveJournalPath(options, io)
      : liveJournalPath(options);

  io.stdout("GRINDER starting...");
  const allOfFixture = options.source.kind === "fixture" && !options.symbolsGiven;
  io.stdout(`  symbols: ${allOfFixture ? "all of the fixture's" : options.symbols.join(",")}`);
  io.stdout(`  source: ${formatLiveSource(options.source)}  mode: ${options.mode}`);
  if (deps.tradingLoopFactory === undefined) io.stdout(`  journal: ${journalPath}`);
  if (options.mode === "live_trade")
    io.stdout(
      `  exchange: ${options.market === "um" ? "USD-M " : ""}${endpoints.rest.url} (${endpoints.rest.source}), ${
        options.userStream && options.market !== "um"
          ? `user data stream ${resolveWsApiUrl(options.wsApiUrl, env)}, REST backstop every ${options.backstopMs} ms`
          : options.market === "um"
            ? `user data stream (listenKey), fills applied every ${options.pollMs} ms`
            : `fills polled every ${options.pollMs} ms`
      }, strays ${options.cancelStrays ? "cancelled" : "reported"}`,
    );

  let elector: LeaderElector | null = null;
  const ctx: TradingLoopContext = {
    options: processOptionsOf(options),
    metrics,
    role: () => haState.role,
    // With HA: ACTIVE and the lease still running by the elector's monotonic clock (a process
    // paused past its lease may not write when it resumes, before any timer demoted it).
    mayTrade: () =>
      !haConfig.enabled ||
      (haState.role === HaRole.ACTIVE && elector !== null && elector.mayWrite()),
    epoch: () => (haConfig.enabled ? (elector?.epoch ?? 0) : undefined),
    clock,
    log: io.stdout,
  };
  let instruments: Awaited<ReturnType<typeof liveTradeInstruments>>;
  if (options.mode === "live_trade" && deps.tradingLoopFactory === undefined) {
    try {
      instruments = await liveTradeInstruments(
        journalPath,
        options.exchangeInfoPath,
        () => exchangeInfoFrom(endpoints.rest.url, env),
        (l) => io.stdout(`  ${l}`),
      );
    } catch (e) {
      if (!isGrinderError(e)) throw e;
      io.stderr(`grinder live: ${errorMessage(e)}`);
      return 2;
    }
  }
  const factory =
    deps.tradingLoopFactory ??
    liveTradingLoopFactory(
      {
        mode: options.mode,
        source: options.source,
        symbols: options.symbols,
        filterFixtureSymbols: options.symbolsGiven,
        speed: options.speed,
        journalPath,
        configPath: options.configPath,
        ...(options.profile !== undefined ? { profile: options.profile } : {}),
        instanceId: haConfig.instanceId,
        env,
        restUrl: endpoints.rest.url,
        wsUrl: endpoints.ws.url,
        market: options.market,
        trade: {
          confirmed: options.confirmTestnet,
          cancelStrays: options.cancelStrays,
          pollMs: options.pollMs,
          ...(options.userStream
            ? {
                userStream: {
                  ...(options.wsApiUrl !== undefined ? { url: options.wsApiUrl } : {}),
                  backstopMs: options.backstopMs,
                },
              }
            : {}),
          ...(instruments !== undefined ? { instruments } : {}),
        },
      },
      {
        ...deps.liveLoop,
        connectorMetrics,
        ...(options.market === "um"
          ? { connector: { market: "usdm" as const, ...deps.liveLoop?.connector } }
          : {}),
      },
    );
  let loop: TradingLoop;
  try {
    loop = factory(ctx);
  } catch (e) {
    if (!isGrinderError(e)) throw e;
    io.stderr(`grinder live: ${errorMessage(e)}`);
    return 2;
  }

  const server = new OpsHttpServer({
    clock,
    startedAtMs,
    role: () => haState.role,
    metricsText: () => metrics.renderAll(),
    halt: () => loop.venueHalt?.(),
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

  const unsubscribe = haState.onRoleChange((role, previous) => {
    metrics.setHaRole(role);
    io.stdout(`HA role changed: ${previous} -> ${role}`);
    loop.onRoleChange(role);
  });

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

  deps.onStarted?.({ port, metrics, haState, haConfig, loop, stop });
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
    io.stdout(`Usage: ${LIVE_RUN_USAGE}`);
    return 0;
  }
  let options: LiveRunOptions;
  try {
    options = parseLiveRunArgs(argv);
    loadHaConfig(env);
    if (options.source.kind === "fixture" && !existsSync(options.source.dir)) {
      io.stderr(`grinder live: --source: ${options.source.dir} does not exist`);
      return 2;
    }
  } catch (e) {
    if (!isGrinderError(e)) throw e;
    io.stderr(`grinder live: ${errorMessage(e)}`);
    io.stderr(`Usage: ${LIVE_RUN_USAGE}`);
    return 2;
  }
  return runLive(options, env, io, deps);
}

/** `grinder live` as a CLI command entry (name, summary, usage, run). */
export const liveCommandDef = {
  name: "live",
  summary: "run live: market feed -> engine -> journal, /healthz, /readyz, /metrics, HA",
  usage: LIVE_RUN_USAGE,
  run: (argv: readonly string[], io: OpsIo & { readonly env: OpsEnv }): Promise<number> =>
    runLiveCommand(argv, io.env, io),
} as const;
