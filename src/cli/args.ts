/** Thin wrapper over util.parseArgs: strict flags, clear usage errors. */

import { type ParseArgsConfig, parseArgs } from "node:util";
import { InvalidInputError } from "../core/errors.js";

export type Options = NonNullable<ParseArgsConfig["options"]>;

export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
  readonly positionals: readonly string[];
}

export function parseCommandArgs(
  command: string,
  argv: readonly string[],
  options: Options,
  allowPositionals = false,
): ParsedArgs {
  try {
    const r = parseArgs({ args: [...argv], options, strict: true, allowPositionals });
    return { values: r.values, positionals: r.positionals };
  } catch (e) {
    throw new InvalidInputError(`grinder ${command}: ${(e as Error).message}`);
  }
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === "string" ? v : undefined;
}

export function requiredString(args: ParsedArgs, command: string, name: string): string {
  const v = stringFlag(args, name);
  if (v === undefined || v.length === 0) {
    throw new InvalidInputError(`grinder ${command}: --${name} is required`);
  }
  return v;
}

export function boolFlag(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/** Parse an integer flag, naming it on error. */
export function intFlag(args: ParsedArgs, command: string, name: string, def: number): number {
  const v = stringFlag(args, name);
  if (v === undefined) return def;
  if (!/^-?\d+$/.test(v)) {
    throw new InvalidInputError(
      `grinder ${command}: --${name} expects an integer, got ${JSON.stringify(v)}`,
    );
  }
  return Number.parseInt(v, 10);
}
