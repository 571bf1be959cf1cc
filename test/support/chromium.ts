/**
 * Headless Chromium for tests of the HTML report. Without Chromium on PATH a
 * browser test skips, unless tools are required (GRINDER_REQUIRE_TOOLS=1, see
 * required-tool.ts), CI=1 or GRINDER_REQUIRE_CHROMIUM=1: then it fails,
 * saying so (the report's charts must have been seen drawn in CI).
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { pathToFileURL } from "node:url";
import { toolsRequired } from "./required-tool.js";

const NAMES = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"];

export function findChromium(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    for (const name of NAMES) {
      const p = join(dir, name);
      if (dir !== "" && existsSync(p)) return p;
    }
  }
  return undefined;
}

/** Whether a missing Chromium is a failure here. */
export function chromiumRequired(): boolean {
  return toolsRequired() || process.env.CI === "1" || process.env.GRINDER_REQUIRE_CHROMIUM === "1";
}

/**
 * For a describe block: `skip` (a reason, or false) and `browser()`. Chromium
 * missing skips the block, unless it is required: then the block runs and
 * `browser()` throws, so every test in it fails saying why.
 */
export function browserTests(): { readonly skip: string | false; browser(): Browser } {
  const found = findChromium();
  const required = chromiumRequired();
  if (found === undefined && !required) {
    console.log(
      "# SKIP html report browser tests: chromium is not on PATH (apt-get install -y chromium)",
    );
  }
  let b: Browser | undefined;
  return {
    skip: found === undefined && !required ? "chromium is not on PATH" : false,
    browser(): Browser {
      if (found === undefined) {
        throw new Error(
          "Chromium is required here (GRINDER_REQUIRE_TOOLS, CI or GRINDER_REQUIRE_CHROMIUM=1) but none of " +
            `${NAMES.join(", ")} is on PATH: apt-get install -y chromium`,
        );
      }
      b ??= headless(found);
      return b;
    },
  };
}

export interface Browser {
  /** The DOM after the page's scripts ran (--dump-dom). */
  dom(page: string, windowSize?: string): string;
  /** A PNG screenshot of the page. */
  screenshot(page: string, png: string, windowSize?: string): void;
}

/** A headless Chromium with its own profile, no network features, a 10 s virtual time budget. */
export function headless(binary: string): Browser {
  const profile = mkdtempSync(join(tmpdir(), "grinder-chromium-"));
  function run(extra: string[], page: string): string {
    const res = spawnSync(
      binary,
      [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        `--user-data-dir=${profile}`,
        "--virtual-time-budget=10000",
        ...extra,
        pathToFileURL(page).href,
      ],
      { encoding: "utf8", timeout: 120_000, maxBuffer: 64 << 20 },
    );
    assert.equal(res.error, undefined, String(res.error));
    assert.equal(res.status, 0, `chromium failed: ${res.stderr}`);
    return res.stdout;
  }
  return {
    dom: (page, windowSize = "1200,2400") =>
      run(["--dump-dom", `--window-size=${windowSize}`], page),
    screenshot: (page, png, windowSize = "1200,2400") => {
      run([`--screenshot=${png}`, `--window-size=${windowSize}`], page);
    },
  };
}
