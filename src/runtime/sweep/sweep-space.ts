/**
 * The parameter space of a sweep: `--grid name=LO:HI:STEP` (an inclusive
 * range, stepped in exact decimals) or `--grid name=A,B,C` (a list), for any
 * engine option, each value typed by the option's kind (kernel-options.ts).
 * Trials are the grid's points in order (the last parameter varies fastest),
 * or, with `--random N --seed S`, N distinct points drawn with a seeded
 * generator: the same seed gives the same trials on every machine.
 */

import { Decimal } from "../../core/decimal.js";
import { ConfigError } from "../../core/errors.js";
import { SeededRandom } from "../../core/prng.js";
import { OPTION_SPECS, type OptionName } from "../../kernel/kernel-options.js";

/** A parameter value as an engine option takes it (decimals as exact strings). */
export type ParamValue = number | string | boolean | null;

export interface SweepParameter {
  readonly name: OptionName;
  readonly values: readonly ParamValue[];
}

/** The swept options of one trial, by name (an engine-option override). */
export type TrialParams = Readonly<Record<string, ParamValue>>;

/** Options a sweep cannot vary: they decide what data is read and how, not how it is traded. */
const NOT_SWEPT: ReadonlySet<string> = new Set(["profile", "market"]);

/** Most values one range may expand to. */
const MAX_RANGE_VALUES = 10_000;
/** Most trials of a full grid (larger spaces need --random N). */
export const MAX_GRID_TRIALS = 100_000;

function optionKind(name: string): string | undefined {
  return (OPTION_SPECS as Readonly<Record<string, { readonly kind: string }>>)[name]?.kind;
}

/** One token as the option's kind takes it (the option's schema checks the range later). */
function typedValue(name: string, kind: string, token: string, where: string): ParamValue {
  const t = token.trim();
  if (t === "null" && (kind === "decimal_or_null" || kind === "number_or_null")) return null;
  switch (kind) {
    case "bool":
      if (t === "true") return true;
      if (t === "false") return false;
      throw new ConfigError(`${where}: ${name} expects true or false, got ${JSON.stringify(t)}`);
    case "int":
    case "float":
    case "number":
    case "number_or_null": {
      const d = Decimal.tryParse(t);
      if (d === undefined) {
        throw new ConfigError(`${where}: ${name} expects a number, got ${JSON.stringify(t)}`);
      }
      return Number(d.toString());
    }
    case "decimal":
    case "decimal_or_null":
      if (Decimal.tryParse(t) === undefined) {
        throw new ConfigError(`${where}: ${name} expects a decimal, got ${JSON.stringify(t)}`);
      }
      return t;
    case "fill_mode":
    case "fill_model":
      return t;
    default:
      throw new ConfigError(`${where}: ${name} (${kind}) cannot be swept from the command line`);
  }
}

/** LO:HI:STEP as exact decimals, LO and every STEP up to HI inclusive. */
function rangeTokens(text: string, where: string): string[] {
  const parts = text.split(":");
  const [lo, hi, step] = parts.map((p) => Decimal.tryParse(p.trim()));
  if (parts.length !== 3 || lo === undefined || hi === undefined || step === undefined) {
    throw new ConfigError(`${where}: expected LO:HI:STEP with decimal numbers, got "${text}"`);
  }
  if (!step.gt(Decimal.ZERO)) throw new ConfigError(`${where}: STEP must be > 0 in "${text}"`);
  if (hi.lt(lo)) throw new ConfigError(`${where}: HI must be >= LO in "${text}"`);
  const out: string[] = [];
  for (let v = lo; !v.gt(hi); v = v.add(step)) {
    if (out.length >= MAX_RANGE_VALUES) {
      throw new ConfigError(`${where}: "${text}" has more than ${MAX_RANGE_VALUES} values`);
    }
    out.push(v.toPlainString());
  }
  return out;
}

/** Parse the `--grid` flags (each NAME=VALUES); every problem reported at once. */
export function parseGrid(flags: readonly string[]): SweepParameter[] {
  const problems: string[] = [];
  const params: SweepParameter[] = [];
  for (const flag of flags) {
    const where = `--grid ${flag}`;
    const eq = flag.indexOf("=");
    const name = eq < 0 ? "" : flag.slice(0, eq).trim();
    const body = eq < 0 ? "" : flag.slice(eq + 1).trim();
    try {
      if (name === "" || body === "") {
        throw new ConfigError(`${where}: expected NAME=LO:HI:STEP or NAME=A,B,...`);
      }
      const kind = optionKind(name);
      if (kind === undefined) {
        throw new ConfigError(`${where}: unknown option "${name}" (docs/CONFIG.md lists them)`);
      }
      if (NOT_SWEPT.has(name)) {
        throw new ConfigError(`${where}: ${name} cannot be swept (it decides the data's model)`);
      }
      if (params.some((p) => p.name === name)) {
        throw new ConfigError(`${where}: ${name} is given twice`);
      }
      const tokens = body.includes(":") ? rangeTokens(body, where) : body.split(",");
      const values = tokens.map((t) => typedValue(name, kind, t, where));
      const seen = new Set<string>();
      for (const v of values) {
        const key = JSON.stringify(v);
        if (seen.has(key)) throw new ConfigError(`${where}: value ${key} is listed twice`);
        seen.add(key);
      }
      params.push({ name: name as OptionName, values });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      problems.push(e.message);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems.join("\n"));
  if (params.length === 0) throw new ConfigError("a sweep needs at least one --grid NAME=VALUES");
  return params;
}

/** Number of points of the full grid. */
export function gridSize(params: readonly SweepParameter[]): number {
  return params.reduce((n, p) => n * p.values.length, 1);
}

/** The grid point at `index` (mixed radix: the last parameter varies fastest). */
export function gridPoint(params: readonly SweepParameter[], index: number): TrialParams {
  const out: Record<string, ParamValue> = {};
  let rest = index;
  for (let i = params.length - 1; i >= 0; i--) {
    const p = params[i] as SweepParameter;
    out[p.name] = p.values[rest % p.values.length] as ParamValue;
    rest = Math.floor(rest / p.values.length);
  }
  // In the order the parameters were given.
  const ordered: Record<string, ParamValue> = {};
  for (const p of params) ordered[p.name] = out[p.name] as ParamValue;
  return ordered;
}

/**
 * N distinct grid indices drawn with the seed (Floyd's algorithm), ascending;
 * every index when N >= the grid's size.
 */
export function randomIndices(size: number, n: number, seed: number): number[] {
  if (n >= size) return Array.from({ length: size }, (_, i) => i);
  const rng = new SeededRandom(seed);
  const chosen = new Set<number>();
  for (let j = size - n; j < size; j++) {
    const t = rng.int(0, j);
    chosen.add(chosen.has(t) ? j : t);
  }
  return [...chosen].sort((a, b) => a - b);
}

/** The trials of a sweep: the full grid, or `random` points of it drawn with `seed`. */
export function sweepTrials(
  params: readonly SweepParameter[],
  random?: { readonly n: number; readonly seed: number },
): TrialParams[] {
  const size = gridSize(params);
  if (random === undefined) {
    if (size > MAX_GRID_TRIALS) {
      throw new ConfigError(
        `the grid has ${size} points (more than ${MAX_GRID_TRIALS}): draw some with --random N --seed S`,
      );
    }
    return Array.from({ length: size }, (_, i) => gridPoint(params, i));
  }
  if (!Number.isSafeInteger(random.n) || random.n < 1) {
    throw new ConfigError(`--random expects a count >= 1, got ${random.n}`);
  }
  return randomIndices(size, random.n, random.seed).map((i) => gridPoint(params, i));
}
