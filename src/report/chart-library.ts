/**
 * The chart library the HTML report inlines: uPlot (MIT), read from the
 * installed npm package when a report is rendered (docs/ARCHITECTURE.md says
 * why this one). Its script and stylesheet are embedded whole; the one-line
 * provenance comment at the top of the minified script (a repository URL) is
 * replaced by the package's license text, so the page holds no URL at all.
 */

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export interface ChartLibrary {
  readonly name: string;
  readonly version: string;
  /** The minified browser build (defines the global `uPlot`). */
  readonly script: string;
  readonly css: string;
  /** The package's LICENSE file. */
  readonly license: string;
}

let cached: ChartLibrary | undefined;

/** uPlot as installed (read once per process). */
export function chartLibrary(): ChartLibrary {
  if (cached !== undefined) return cached;
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve("uplot/package.json"));
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string };
  const raw = readFileSync(join(dir, "dist", "uPlot.iife.min.js"), "utf8");
  // "/*! https://github.com/leeoniya/uPlot (v1.6.32) */" -> the license, below.
  const script = raw.replace(/^\/\*![^*]*\*\/\s*/, "");
  const license = readFileSync(join(dir, "LICENSE"), "utf8").trim();
  if (license.includes("*/")) throw new Error("uPlot LICENSE cannot sit in a comment");
  cached = {
    name: "uPlot",
    version: pkg.version,
    script,
    css: readFileSync(join(dir, "dist", "uPlot.min.css"), "utf8"),
    license,
  };
  return cached;
}
