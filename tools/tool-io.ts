/** Output lines of a repository tool, and running one as a script. */

import { pathToFileURL } from "node:url";

/** Each call is one line, no trailing newline. */
export interface ToolIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
}

const processIo: ToolIo = {
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
};

/**
 * Run `tool` on the command line's arguments when `moduleUrl` is the script
 * node was started with (`node build/test/tools/NAME.js ARGS`).
 */
export function runIfMain(
  moduleUrl: string,
  tool: (argv: readonly string[], io: ToolIo) => Promise<number>,
): void {
  const script = process.argv[1];
  if (script === undefined || pathToFileURL(script).href !== moduleUrl) return;
  void tool(process.argv.slice(2), processIo).then((code) => {
    process.exitCode = code;
  });
}
