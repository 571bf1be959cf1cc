import { readFileSync, statSync } from "node:fs";
import { ConfigError } from "../core/errors.js";
import { optionProblems, parseOptionsJson } from "../data/fixture-reader.js";

/**
 * Read an engine options file (`--config FILE`): a JSON object without
 * duplicate keys and of valid options only (checked here, so that every
 * message names the file; the caller applies it).
 */
export function readEngineConfigFile(path: string): Record<string, unknown> {
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) {
    throw new ConfigError(`--config ${path}: expected a JSON file, found a directory`);
  }
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError(`cannot read config file ${path}: ${(e as Error).message}`);
  }
  const raw = parseOptionsJson(text, path, (r) => optionProblems(r, path, true));
  const problems = optionProblems(raw, path, true);
  if (problems.length > 0) throw new ConfigError(problems.join("\n"));
  return raw;
}
