/**
 * What every run says first: its profile and the options that differ from
 * the reference defaults, and the command-line pieces that set them
 * (`--profile`, `--exchange-info`).
 */

import { boolFlag, type ParsedArgs, stringFlag } from "../argv/args.js";
import { InvalidInputError } from "../core/errors.js";
import { type Fixture, openFixture } from "../data/fixture-reader.js";
import type { InstrumentSpec } from "../domain/instrument.js";
import { readExchangeInfoFile } from "../venues/binance/exchange-info.js";
import type { CliIo } from "./io.js";

/** The help line of `--strict` (replay, paper, backtest --fixtures). */
export const STRICT_HELP =
  "  --strict         unknown keys in a fixture's config.json are errors (default: warnings)";

/**
 * Open `--fixture DIR`; unknown keys of its config.json are warnings on
 * stderr, or one error with `--strict`.
 */
export function openFixtureFlag(dir: string, args: ParsedArgs, io: CliIo): Fixture {
  const fixture = openFixture(dir, { strict: boolFlag(args, "strict") });
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
