import { parseCommandArgs, requiredString } from "../../argv/args.js";
import { summarizeJournal } from "../../runtime/live/journal-summary.js";
import type { CliCommand } from "../io.js";

export const journalSummaryCommand: CliCommand = {
  name: "journal summary",
  summary:
    "Print the ledger a live journal adds up to (position, realized PnL, fees per symbol) as JSON",
  usage:
    "grinder journal summary --journal FILE\n\n" +
    "  --journal FILE  a journal written by `grinder live` (every line is validated)\n\n" +
    'Prints {"symbols": {"BTCUSDT": {"position", "realized_pnl", "fees", "fills"}}, "last_epoch": N}:\n' +
    "decimals as strings, fees in the quote asset (a commission in the base asset at its fill's\n" +
    "price, and out of the position), last_epoch the highest HA fencing epoch of its lines (0: none).",
  async run(argv, io) {
    const args = parseCommandArgs("journal summary", argv, { journal: { type: "string" } });
    const path = requiredString(args, "journal summary", "journal");
    io.stdout(JSON.stringify(summarizeJournal(path)));
    return 0;
  },
};
