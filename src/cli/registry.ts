/** Every subcommand of `grinder`, in help order. */

import { liveCommandDef } from "../runtime/live/live-runtime.js";
import { backtestCommand } from "./commands/backtest.js";
import {
  fixtureGenerateCommand,
  fixtureRecordCommand,
  fixtureRegenerateCommand,
} from "./commands/fixture.js";
import { journalSummaryCommand } from "./commands/journal.js";
import { paperCommand } from "./commands/paper.js";
import { replayCommand } from "./commands/replay.js";
import { smokeTestnetCommand } from "./commands/smoke-testnet.js";
import { soakCommand } from "./commands/soak.js";
import { soakGateCommand } from "./commands/soak-gate.js";
import { sweepCommand } from "./commands/sweep.js";
import { verifyDeterminismCommand } from "./commands/verify-determinism.js";
import { verifyDeterminismSuiteCommand } from "./commands/verify-determinism-suite.js";
import { workerCommand } from "./commands/worker.js";
import type { CliCommand } from "./io.js";

export const COMMANDS: readonly CliCommand[] = [
  replayCommand,
  paperCommand,
  backtestCommand,
  sweepCommand,
  workerCommand,
  verifyDeterminismCommand,
  verifyDeterminismSuiteCommand,
  soakCommand,
  soakGateCommand,
  fixtureGenerateCommand,
  fixtureRecordCommand,
  fixtureRegenerateCommand,
  liveCommandDef,
  journalSummaryCommand,
  smokeTestnetCommand,
];
