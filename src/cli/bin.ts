#!/usr/bin/env node
/** Process entry point of the `grinder` command. */

import { errorMessage } from "../core/errors.js";
import { main } from "./main.js";

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`fatal: ${errorMessage(e)}\n`);
    process.exitCode = 1;
  },
);
