import { readFileSync, statSync } from "node:fs";
import { ConfigError } from "../core/errors.js";
import { parseOptionsJson } from "../data/fixture-reader.js";
import { applyOptions, defaultOptions } from "../kernel/kernel-options.js";

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
  const raw = parseOptionsJson(text, path);
  applyOptions(defaultOptions(), raw, path, { strict: true });
  return raw;
}
