/** Every subcommand of `grinder`, in help order. */

import { replayCommand } from "./commands/replay.js";
import type { CliCommand } from "./io.js";

export const COMMANDS: readonly CliCommand[] = [replayCommand];
