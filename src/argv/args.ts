/**
 * The one command-line parser: `util.parseArgs` tokenises, and every token is
 * checked strictly here (unknown flag, missing value, value on a switch, flag
 * given twice, stray argument). Unlike `parseArgs({ strict: true })`, which
 * stops at the first problem, every problem is reported at once. Flags take
 * `--flag value` or `--flag=value`; a following `--other` is never taken as
 * a value.
 */

import { type ParseArgsConfig, parseArgs } from "node:util";
import { InvalidInputError } from "../core/errors.js";

export type Options = NonNullable<ParseArgsConfig["options"]>;

export type FlagValue = string | boolean | (string | boolean)[];

export interface ParsedArgs {
  readonly values: Readonly<Record<string, FlagValue | undefined>>;
  readonly positionals: readonly string[];
}

type Token = NonNullable<ReturnType<typeof parseArgs>["tokens"]>[number];

function tokenize(argv: readonly string[], options: Options, offset: number): Token[] {
  const { tokens } = parseArgs({
    args: argv.slice(offset),
    options,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const out: Token[] = [];
  for (const t of tokens) {
    const token = { ...t, index: t.index + offset } as Token;
    // `--a --b`: parseArgs takes `--b` as the value of a string flag `--a`.
    // Report `--a` without a value and tokenise again from `--b`.
    if (t.kind === "option" && t.inlineValue === false && t.value?.startsWith("--")) {
      out.push({ kind: "option", name: t.name, rawName: t.rawName, index: token.index } as Token);
      return [...out, ...tokenize(argv, options, token.index + 1)];
    }
    out.push(token);
  }
  return out;
}

/**
 * Parse `argv` against `options`. Throws one InvalidInputError listing every
 * problem, `; `-separated, each naming its flag (messages carry no command
 * prefix: see parseCommandArgs).
 */
export function parseFlags(
  argv: readonly string[],
  options: Options,
  allowPositionals = false,
): ParsedArgs {
  const values: Record<string, FlagValue> = {};
  const positionals: string[] = [];
  const errors: string[] = [];
  const flagList = Object.keys(options)
    .map((name) => `--${name}`)
    .join(", ");
  const tokens = tokenize(argv, options, 0);
  let afterUnknown = false;
  for (const t of tokens) {
    const skipValueOfUnknown = afterUnknown;
    afterUnknown = false;
    if (t.kind === "option-terminator") continue;
    if (t.kind === "positional") {
      if (allowPositionals) positionals.push(t.value);
      else if (!skipValueOfUnknown) errors.push(`unexpected argument ${JSON.stringify(t.value)}`);
      continue;
    }
    const spec = Object.hasOwn(options, t.name) ? options[t.name] : undefined;
    if (spec === undefined) {
      errors.push(`unknown option ${t.rawName} (options: ${flagList})`);
      // `--bogus 1`: the next plain argument is most likely the unknown flag's value.
      afterUnknown = t.inlineValue === undefined;
      continue;
    }
    let value: string | boolean;
    if (spec.type === "boolean") {
      if (t.value !== undefined) {
        errors.push(`${t.rawName} takes no value`);
        continue;
      }
      value = true;
    } else {
      if (t.value === undefined) {
        errors.push(`${t.rawName}: missing value`);
        continue;
      }
      value = t.value;
    }
    const prev = values[t.name];
    if (spec.multiple === true) {
      values[t.name] = Array.isArray(prev) ? [...prev, value] : [value];
    } else if (prev !== undefined) {
      errors.push(`${t.rawName}: given twice`);
    } else {
      values[t.name] = value;
    }
  }
  if (errors.length > 0) throw new InvalidInputError([...new Set(errors)].join("; "));
  return { values, positionals };
}

/** parseFlags for `grinder COMMAND`: errors start with `grinder COMMAND: `. */
export function parseCommandArgs(
  command: string,
  argv: readonly string[],
  options: Options,
  allowPositionals = false,
): ParsedArgs {
  try {
    return parseFlags(argv, options, allowPositionals);
  } catch (e) {
    if (e instanceof InvalidInputError) {
      throw new InvalidInputError(`grinder ${command}: ${e.message}`);
    }
    throw e;
  }
}

/**
 * Collects flag value errors so that every bad value is reported at once:
 * `value(flag, fallback, parse)` returns the parsed value, or records the
 * error and returns the fallback; `check()` throws them all.
 */
export class FlagErrors {
  private readonly messages: string[] = [];

  value<T>(fallback: T, parse: () => T): T {
    try {
      return parse();
    } catch (e) {
      if (!(e instanceof InvalidInputError)) throw e;
      this.messages.push(e.message);
      return fallback;
    }
  }

  add(message: string): void {
    this.messages.push(message);
  }

  check(): void {
    if (this.messages.length > 0) throw new InvalidInputError(this.messages.join("; "));
  }
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === "string" ? v : undefined;
}

/** Every value of a repeatable (`multiple`) string flag, or undefined if not given. */
export function stringsFlag(args: ParsedArgs, name: string): string[] | undefined {
  const v = args.values[name];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : undefined;
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
