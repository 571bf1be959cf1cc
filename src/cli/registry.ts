/** Every subcommand of `grinder`, in help order. */

import { liveCommandDef } from "../ops/live-runtime.js";
import { checkUnicodeCommandDef } from "../tools/check-unicode.js";
import { secretGuardCommandDef } from "../tools/secret-guard.js";
import { backtestCommand } from "./commands/backtest.js";
import {
  fixtureGenerateCommand,
  fixtureRecordCommand,
  fixtureRegenerateCommand,
} from "./commands/fixture.js";
import { paperCommand } from "./commands/paper.js";
import { replayCommand } from "./commands/replay.js";
import { smokeTestnetCommand } from "./commands/smoke-testnet.js";
import { verifyDeterminismCommand } from "./commands/verify-determinism.js";
import type { CliCommand } from "./io.js";

export const COMMANDS: readonly CliCommand[] = [
  replayCommand,
  paperCommand,
  backtestCommand,
  verifyDeterminismCommand,
  fixtureGenerateCommand,
  fixtureRecordCommand,
  fixtureRegenerateCommand,
  liveCommandDef,
  smokeTestnetCommand,
  secretGuardCommandDef,
  checkUnicodeCommandDef,
];
