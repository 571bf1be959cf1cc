/** The `grinder` command line: one binary, one subcommand per job. Wiring only. */

import { errorMessage, isGrinderError } from "../core/errors.js";
import { type CliIo, processIo } from "./io.js";
import { COMMANDS } from "./registry.js";

function help(io: CliIo): void {
  io.stdout("grinder - adaptive grid trading: replay, paper, backtest and live on one core\n");
  io.stdout("Usage: grinder <command> [options]\n");
  io.stdout("Commands:");
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  for (const c of COMMANDS) io.stdout(`  ${c.name.padEnd(width)}  ${c.summary}`);
  io.stdout("\nRun `grinder <command> --help` for a command's options.");
}

export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    help(io);
    return name === undefined ? 2 : 0;
  }
  if (name === "--version") {
    io.stdout("grinder 0.1.0");
    return 0;
  }
  // Two-word commands ("fixture generate").
  const two = rest[0] !== undefined ? `${name} ${rest[0]}` : undefined;
  const cmd = COMMANDS.find((c) => c.name === two) ?? COMMANDS.find((c) => c.name === name);
  if (cmd === undefined) {
    const group = COMMANDS.filter((c) => c.name.startsWith(`${name} `));
    if (group.length > 0) {
      const asked = rest[0] === "--help" || rest[0] === "-h";
      const out = asked ? io.stdout : io.stderr;
      if (!asked && rest[0] !== undefined) out(`grinder ${name}: unknown subcommand "${rest[0]}"`);
      out(`Usage: grinder ${name} <subcommand> [options]\nSubcommands:`);
      const width = Math.max(...group.map((c) => c.name.length));
      for (const c of group) out(`  ${c.name.padEnd(width)}  ${c.summary}`);
      out(`\nRun \`grinder ${name} <subcommand> --help\` for its options.`);
      return asked ? 0 : 2;
    }
    io.stderr(`grinder: unknown command "${name}". Run \`grinder --help\`.`);
    return 2;
  }
  const args = cmd.name === two ? rest.slice(1) : rest;
  if (args.includes("--help") || args.includes("-h")) {
    // A usage text may carry its own "usage:" prefix.
    io.stdout(`${cmd.summary}\n\nUsage: ${cmd.usage.replace(/^usage:\s*/i, "")}`);
    return 0;
  }
  try {
    return await cmd.run(args, io);
  } catch (e) {
    io.stderr(`error: ${errorMessage(e)}`);
    if (!isGrinderError(e) && e instanceof Error && e.stack) io.stderr(e.stack);
    return 1;
  }
}
