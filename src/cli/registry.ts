/** Every subcommand of `grinder`, in help order. */

import { paperCommand } from "./commands/paper.js";
import { replayCommand } from "./commands/replay.js";
import type { CliCommand } from "./io.js";

export const COMMANDS: readonly CliCommand[] = [replayCommand, paperCommand];
