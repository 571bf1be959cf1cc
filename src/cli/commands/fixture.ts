import { existsSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { boolFlag, parseCommandArgs, requiredString, stringFlag } from "../../argv/args.js";
import { InvalidInputError } from "../../core/errors.js";
import { parseGeneratorSpec } from "../../data/fixture-generator.js";
import { readFixtureConfig } from "../../data/fixture-reader.js";
import { applyOptions, defaultOptions } from "../../kernel/kernel-options.js";
import {
  readJsonObject,
  recordDigests,
  writeGeneratedEvents,
} from "../../runtime/backtest/fixture-files.js";
import type { CliCommand, CliIo } from "../io.js";

function parseSymbols(text: string, regimes: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of text.split(",")) {
    const [sym, price] = part.split("=");
    if (!sym || !price) {
      throw new InvalidInputError(
        `--symbols: expected SYM=PRICE[,SYM=PRICE...], got ${JSON.stringify(part)}`,
      );
    }
    out[sym] = { start_price: price, regimes };
  }
  return out;
}

function parseSet(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of pairs) {
    const eq = p.indexOf("=");
    if (eq <= 0) throw new InvalidInputError(`--set: expected key=value, got ${JSON.stringify(p)}`);
    const key = p.slice(0, eq);
    const text = p.slice(eq + 1);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = text;
    }
    out[key] = value;
  }
  return out;
}

/** An integer flag of `fixture generate`, named in the error. */
function integerFlag(text: string | undefined, flag: string, def: number, min: number): number {
  if (text === undefined) return def;
  const v = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(v) || v < min) {
    throw new InvalidInputError(
      `grinder fixture generate: --${flag}: expected an integer >= ${min}, got ${JSON.stringify(text)}`,
    );
  }
  return v;
}

/** Whether `dir` exists and holds anything (a fixture it would overwrite). */
function occupied(dir: string): boolean {
  const st = statSync(dir, { throwIfNoEntry: false });
  if (st === undefined) return false;
  if (!st.isDirectory()) {
    throw new InvalidInputError(
      `grinder fixture generate: --out ${dir}: is a file, expected a directory`,
    );
  }
  return readdirSync(dir).length > 0;
}

async function generate(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs("fixture generate", argv, {
    out: { type: "string" },
    spec: { type: "string" },
    seed: { type: "string" },
    symbols: { type: "string" },
    regimes: { type: "string" },
    "tick-ms": { type: "string" },
    set: { type: "string", multiple: true },
    description: { type: "string" },
    force: { type: "boolean" },
  });
  const out = requiredString(args, "fixture generate", "out");
  if (occupied(out) && !boolFlag(args, "force")) {
    throw new InvalidInputError(
      `grinder fixture generate: --out ${out} exists and is not empty; add --force to overwrite it`,
    );
  }
  let config: Record<string, unknown>;
  const specPath = stringFlag(args, "spec");
  const sets = parseSet((args.values.set as string[] | undefined) ?? []);
  // --set takes options only: an unknown key is an error naming the closest option.
  applyOptions(defaultOptions(), sets, "--set", { strict: true });
  if (specPath) {
    config = { ...readJsonObject(specPath), ...sets };
  } else {
    const symbols = requiredString(args, "fixture generate", "symbols");
    const regimes = (stringFlag(args, "regimes") ?? "calm:300").split(",");
    config = {
      description: stringFlag(args, "description") ?? "generated fixture",
      generator: {
        seed: integerFlag(stringFlag(args, "seed"), "seed", 1, 0),
        tick_ms: integerFlag(stringFlag(args, "tick-ms"), "tick-ms", 1000, 1),
        symbols: parseSymbols(symbols, regimes),
      },
      ...sets,
    };
  }
  const spec = parseGeneratorSpec(config.generator, specPath ?? "--symbols/--regimes");
  // Validate the options now, so a typo fails before anything is written.
  applyOptions(defaultOptions(), config, specPath ?? "--set");
  delete config.expected_replay_digest;
  delete config.expected_paper_digest;
  // Built in a temp directory beside --out and renamed at the end: an error leaves nothing.
  const tmp = `${out.replace(/[\\/]+$/, "")}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    const n = writeGeneratedEvents(tmp, spec);
    writeFileSync(join(tmp, "config.json"), JSON.stringify(config, null, 2) + "\n");
    const d = await recordDigests(tmp);
    rmSync(out, { recursive: true, force: true });
    renameSync(tmp, out);
    io.stdout(
      `Fixture written to ${out}: ${n} events; replay digest ${d.replay}, paper digest ${d.paper}`,
    );
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return 0;
}

async function record(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs("fixture record", argv, {}, true);
  if (args.positionals.length === 0)
    throw new InvalidInputError("grinder fixture record: give one or more fixture directories");
  for (const dir of args.positionals) {
    const d = await recordDigests(dir);
    io.stdout(`${dir}: replay ${d.replay}, paper ${d.paper}`);
  }
  return 0;
}

async function regenerate(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseCommandArgs("fixture regenerate", argv, {}, true);
  if (args.positionals.length === 0)
    throw new InvalidInputError("grinder fixture regenerate: give one or more fixture directories");
  for (const dir of args.positionals) {
    if (!existsSync(join(dir, "config.json")))
      throw new InvalidInputError(`${dir}: no config.json`);
    const config = readFixtureConfig(dir);
    const n = writeGeneratedEvents(
      dir,
      parseGeneratorSpec(config.generator, join(dir, "config.json")),
    );
    io.stdout(`${dir}: ${n} events regenerated`);
  }
  return 0;
}

export const fixtureGenerateCommand: CliCommand = {
  name: "fixture generate",
  summary: "Generate a deterministic synthetic fixture (events + config + digests)",
  usage:
    "grinder fixture generate --out DIR [--force]\n" +
    "                         (--spec CONFIG.json | --symbols SYM=PRICE,... [--regimes calm:300,vol:100]\n" +
    "                          [--seed N] [--tick-ms MS] [--description TEXT])\n" +
    "                         [--set option=value [--set option=value ...]]\n\n" +
    "  --out DIR          the fixture directory to write (events.jsonl, config.json with digests)\n" +
    "  --force            replace --out when it exists and is not empty (refused otherwise)\n" +
    '  --spec FILE        a config.json with a "generator" block and engine options\n' +
    "                     (see fixtures/*/config.json)\n" +
    "  --symbols LIST     SYM=START_PRICE pairs, comma-separated (e.g. BTCUSDT=50000)\n" +
    "  --regimes LIST     kind:events segments in order, for every symbol (default calm:300);\n" +
    "                     kinds: calm, vol, trend, spread, jump, crash, thin, sparse; events >= 1\n" +
    "  --seed N           generator seed, an integer >= 0 (default 1)\n" +
    "  --tick-ms MS       ms between events, an integer >= 1 (default 1000)\n" +
    "  --description TEXT the fixture's description in config.json\n" +
    "  --set K=V          an engine option in config.json (V as JSON, else a string); repeatable",
  run: generate,
};

export const fixtureRecordCommand: CliCommand = {
  name: "fixture record",
  summary: "Recompute and store a fixture's canonical replay and paper digests",
  usage: "grinder fixture record DIR [DIR ...]",
  run: record,
};

export const fixtureRegenerateCommand: CliCommand = {
  name: "fixture regenerate",
  summary: "Rewrite a generated fixture's events from its config's generator block",
  usage: "grinder fixture regenerate DIR [DIR ...]",
  run: regenerate,
};
