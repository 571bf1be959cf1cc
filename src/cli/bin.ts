#!/usr/bin/env node
/** Process entry point of the `grinder` command. */

import { errorMessage } from "../core/errors.js";
import { removeTempFiles } from "../runtime/temp-files.js";
import { main } from "./main.js";

// A reader that goes away (`grinder paper -v | head -1`) ends the run quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
    removeTempFiles();
    process.exit(0);
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`fatal: ${errorMessage(e)}\n`);
    process.exitCode = 1;
  },
);
