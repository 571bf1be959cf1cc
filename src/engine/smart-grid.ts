/** Builds the smart-grid hooks for the options that enable them (wired as components land). */

import type { EngineOptions } from "./engine-options.js";
import type { SmartGridHooks } from "./smart-grid-hooks.js";

export function createSmartGridHooks(_options: EngineOptions): SmartGridHooks | undefined {
  return undefined;
}
