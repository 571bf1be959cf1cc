import { runSmokeTestnet } from "../../live/smoke-testnet.js";
import type { CliCommand } from "../io.js";

export const smokeTestnetCommand: CliCommand = {
  name: "smoke-testnet",
  summary: "Binance testnet smoke test: dry-run by default; a real order needs explicit arming",
  usage:
    "grinder smoke-testnet [--confirm TESTNET] [--symbol SYM] [--price P] [--quantity Q]\n" +
    "                      [--market spot|usdm] [--kill-switch]\n\n" +
    "  A real run needs --confirm TESTNET, ARMED=1, ALLOW_TESTNET_TRADE=1 and\n" +
    "  BINANCE_API_KEY / BINANCE_API_SECRET in the environment (never printed).\n" +
    "  See docs/runbooks/08_SMOKE_TEST_TESTNET.md.",
  run: (argv, io) =>
    runSmokeTestnet(argv, io.env, {
      out: io.stdout,
      err: io.stderr,
    }),
};
