import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseCommandArgs, requiredString, stringFlag } from "../../argv/args.js";
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
  });
  const out = requiredString(args, "fixture generate", "out");
  let config: Record<string, unknown>;
  const specPath = stringFlag(args, "spec");
  if (specPath) {
    config = readJsonObject(specPath);
  } else {
    const symbols = requiredString(args, "fixture generate", "symbols");
    const regimes = (stringFlag(args, "regimes") ?? "calm:300").split(",");
    config = {
      description: stringFlag(args, "description") ?? "generated fixture",
      generator: {
        seed: Number(stringFlag(args, "seed") ?? "1"),
        tick_ms: Number(stringFlag(args, "tick-ms") ?? "1000"),
        symbols: parseSymbols(symbols, regimes),
      },
      ...parseSet((args.values.set as string[] | undefined) ?? []),
    };
  }
  const spec = parseGeneratorSpec(config.generator, specPath ?? "--symbols");
  // Validate the options now, so a typo fails before anything is written.
  applyOptions(defaultOptions(), config, specPath ?? "--set");
  delete config.expected_replay_digest;
  delete config.expected_paper_digest;
  const n = writeGeneratedEvents(out, spec);
  writeFileSync(join(out, "config.json"), JSON.stringify(config, null, 2) + "\n");
  const d = await recordDigests(out);
  io.stdout(
    `Fixture written to ${out}: ${n} events; replay digest ${d.replay}, paper digest ${d.paper}`,
  );
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
    "grinder fixture generate --out DIR (--spec CONFIG.json | --symbols SYM=PRICE,... [--regimes calm:300,vol:100]\n" +
    "                         [--seed N] [--tick-ms MS] [--set option=value ...] [--description TEXT])\n\n" +
    "  regimes: calm, vol, trend, spread, jump, crash, thin, sparse (kind:events, in order)\n" +
    '  --spec: a config.json with a "generator" block and engine options (see fixtures/*/config.json)',
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
