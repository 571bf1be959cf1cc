/**
 * Tests that need an outside tool (redis-server, Chromium, promtool, the
 * shared reference outputs) skip visibly where it is missing, except in CI
 * (`.ci/run` sets GRINDER_REQUIRE_TOOLS=1), where a missing tool fails the
 * run instead: those tests must run there, never skip.
 */

export function toolsRequired(): boolean {
  return process.env.GRINDER_REQUIRE_TOOLS === "1";
}

/**
 * The `skip` option of a test that needs a tool: false when it is there; the
 * reason when it is not (and tools are optional); throws when tools are required.
 */
export function skipUnless(available: boolean, reason: string): string | false {
  if (available) return false;
  if (toolsRequired()) {
    throw new Error(`${reason}: required here (GRINDER_REQUIRE_TOOLS=1), so this test cannot skip`);
  }
  return reason;
}
