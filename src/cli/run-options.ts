/**
 * What every run says first: its profile and the options that differ from
 * the reference defaults, and the command-line pieces that set them
 * (`--profile`, `--exchange-info`).
 */

import { type ParsedArgs, stringFlag } from "../argv/args.js";
import { InvalidInputError } from "../core/errors.js";
import type { InstrumentSpec } from "../domain/instrument.js";
import { readExchangeInfoFile } from "../venues/binance/exchange-info.js";

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
