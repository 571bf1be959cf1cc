import { readFileSync } from "node:fs";
import { ConfigError } from "../core/errors.js";

/** Read an engine options file (`--config FILE`): a JSON object, validated by the caller. */
export function readEngineConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError(`cannot read config file ${path}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${path}: invalid JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError(`${path}: expected a JSON object of options`);
  }
  return raw as Record<string, unknown>;
}
