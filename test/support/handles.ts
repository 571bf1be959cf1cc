/** Open-handle accounting for network tests: nothing may be left behind. */

const WATCHED = new Set(["TCPSocketWrap", "TCPServerWrap", "Timeout", "TTYWrap", "PipeWrap"]);

export type HandleCounts = Readonly<Record<string, number>>;

export function activeHandles(): HandleCounts {
  const out: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) if (WATCHED.has(r)) out[r] = (out[r] ?? 0) + 1;
  return out;
}

function leaks(before: HandleCounts, now: HandleCounts): string[] {
  const out: string[] = [];
  for (const [k, n] of Object.entries(now))
    if (n > (before[k] ?? 0)) out.push(`${k}: ${before[k] ?? 0} -> ${n}`);
  return out;
}

/**
 * Wait (up to `waitMs`) until no more sockets, servers or timers are active
 * than in `before`; throw listing what was left otherwise.
 */
export async function assertNoLeakedHandles(before: HandleCounts, waitMs = 1000): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const found = leaks(before, activeHandles());
    if (found.length === 0) return;
    if (Date.now() >= deadline) throw new Error(`leaked handles: ${found.join(", ")}`);
    // setImmediate, not a timer: a polling timer would itself count as a handle.
    await new Promise<void>((r) => setImmediate(r));
  }
}
