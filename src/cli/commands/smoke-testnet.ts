import { runSmokeTestnet, SMOKE_USAGE } from "../../venues/binance/smoke-testnet.js";
import type { CliCommand } from "../io.js";

export const smokeTestnetCommand: CliCommand = {
  name: "smoke-testnet",
  summary: "Binance testnet smoke test: dry-run by default; a real order needs explicit arming",
  usage: SMOKE_USAGE,
  run: (argv, io) =>
    runSmokeTestnet(argv, io.env, {
      out: io.stdout,
      err: io.stderr,
    }),
};
