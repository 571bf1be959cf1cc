/**
 * What every run says first: its profile and the options that differ from
 * the reference defaults, and the command-line pieces that set them
 * (`--profile`, `--exchange-info`, the data flags of backtest and sweep).
 */

import { type Stats, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { boolFlag, type Options, type ParsedArgs, stringFlag } from "../argv/args.js";
import { InvalidInputError } from "../core/errors.js";
import { type Fixture, openFixture } from "../data/fixture-reader.js";
import type { InstrumentSpec } from "../domain/instrument.js";
import {
  type DataRunSpec,
  dataRunSpecOf,
  dataThreadsFlag,
} from "../runtime/backtest/data-run-spec.js";
import { removeStaleTempFiles } from "../runtime/temp-files.js";
import { readExchangeInfoFile } from "../venues/binance/exchange-info.js";
import type { CliIo } from "./io.js";

/** The help line of `--strict` (replay, paper, backtest --fixtures). */
export const STRICT_HELP =
  "  --strict         unknown keys in a fixture's config.json are errors (default: warnings)";

/** The help lines of `--data-threads` for a fixture (replay, paper). */
export const FIXTURE_THREADS_HELP =
  "  --data-threads N 1: split and parse events.jsonl on a worker thread beside the engine;\n" +
  "                   0: on the engine's thread (default: GRINDER_DATA_THREADS, else 0)";

/**
 * Open `--fixture DIR` (`--strict`, `--data-threads`); unknown keys of its
 * config.json are warnings on stderr, or one error with `--strict`.
 */
export function openFixtureFlag(
  command: string,
  dir: string,
  args: ParsedArgs,
  io: CliIo,
): Fixture {
  const threads = stringFlag(args, "data-threads");
  const fixture = openFixture(dir, {
    strict: boolFlag(args, "strict"),
    ...(threads === undefined ? {} : { dataThreads: dataThreadsFlag(command, threads) }),
  });
  for (const w of fixture.configWarnings ?? []) io.stderr(`warning: ${w}`);
  return fixture;
}

/** `--config` overrides with `--profile` on top (validated with the other options). */
export function withProfileFlag(
  command: string,
  args: ParsedArgs,
  overrides: Readonly<Record<string, unknown>> | undefined,
): Readonly<Record<string, unknown>> | undefined {
  const profile = stringFlag(args, "profile");
  if (profile === undefined) return overrides;
  if (profile !== "reference" && profile !== "realistic") {
    throw new InvalidInputError(
      `grinder ${command}: --profile expects reference or realistic, got ${JSON.stringify(profile)}`,
    );
  }
  return { ...(overrides ?? {}), profile };
}

/** The instruments of `--exchange-info FILE`, if given. */
export function exchangeInfoFlag(args: ParsedArgs): Map<string, InstrumentSpec> | undefined {
  const path = stringFlag(args, "exchange-info");
  return path === undefined ? undefined : readExchangeInfoFile(path);
}

/** stat, or undefined when nothing is there (also when a parent is a file: ENOTDIR). */
function statOrNothing(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOTDIR") return undefined;
    throw e;
  }
}

/** What is wrong with an output file path, or undefined; `created` gets a missing parent. */
function outputPathProblem(path: string, created: string[]): string | undefined {
  const st = statOrNothing(path);
  if (st?.isDirectory()) return `${path} is a directory; expected a file path`;
  let dir = dirname(resolve(path));
  let missing: string | undefined;
  for (;;) {
    const at = statOrNothing(dir);
    if (at !== undefined) {
      if (!at.isDirectory()) return `${dir} is a file, not a directory`;
      break;
    }
    missing = dir;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  if (missing !== undefined) created.push(dirname(resolve(path)));
  return undefined;
}

/**
 * Check the output flags before any work: a path that is a directory, or
 * under a file, is an error (every one at once); missing parent directories
 * are stated (they are created); temp and part files of these outputs left
 * by processes that are gone are removed, saying so.
 */
export function checkOutputFlags(
  command: string,
  args: ParsedArgs,
  io: CliIo,
  flags: readonly string[],
): void {
  const problems: string[] = [];
  const announced = new Set<string>();
  for (const flag of flags) {
    const path = stringFlag(args, flag);
    if (path === undefined) continue;
    const created: string[] = [];
    const problem = outputPathProblem(path, created);
    if (problem !== undefined) {
      problems.push(`--${flag} ${path}: ${problem}`);
      continue;
    }
    for (const d of created) {
      if (!announced.has(d))
        io.stderr(`note: --${flag}: directory ${d} does not exist; creating it`);
      announced.add(d);
    }
    for (const p of removeStaleTempFiles(path)) {
      io.stderr(`note: removed ${p}, left by an earlier run that did not finish`);
    }
  }
  if (problems.length > 0) {
    throw new InvalidInputError(`grinder ${command}: ${problems.join("; ")}`);
  }
}

/** The flags naming what a backtest on Binance data reads (`backtest --data`, `sweep --data`). */
export const DATA_RUN_FLAGS = {
  data: { type: "string" },
  symbols: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  kind: { type: "string" },
  market: { type: "string" },
  interval: { type: "string" },
  "half-spread-bps": { type: "string" },
  "depth-qty": { type: "string" },
  "on-bad-row": { type: "string" },
  "exchange-info": { type: "string" },
  "leverage-brackets": { type: "string" },
  "no-verify-checksum": { type: "boolean" },
  "data-threads": { type: "string" },
  config: { type: "string" },
  profile: { type: "string" },
} as const satisfies Options;

/** The data run of the DATA_RUN_FLAGS given (errors start with `grinder COMMAND`). */
export function dataRunSpecFlags(command: string, args: ParsedArgs, dataDir: string): DataRunSpec {
  return dataRunSpecOf(command, {
    data: dataDir,
    symbols: stringFlag(args, "symbols"),
    from: stringFlag(args, "from"),
    to: stringFlag(args, "to"),
    kind: stringFlag(args, "kind"),
    market: stringFlag(args, "market"),
    interval: stringFlag(args, "interval"),
    halfSpreadBps: stringFlag(args, "half-spread-bps"),
    depthQty: stringFlag(args, "depth-qty"),
    onBadRow: stringFlag(args, "on-bad-row"),
    exchangeInfo: stringFlag(args, "exchange-info"),
    leverageBrackets: stringFlag(args, "leverage-brackets"),
    noVerifyChecksum: boolFlag(args, "no-verify-checksum"),
    dataThreads: stringFlag(args, "data-threads"),
  });
}
