/**
 * Folder-level dependencies of the shipped sources (src/, tests excluded):
 * every relative import between two folders is an edge between their nodes
 * (`src/<folder>`, with `venues/<x>` and `runtime/<x>` as nodes of their
 * own). The tree must keep two rules:
 *
 * - `ops/` (HTTP endpoints, metrics, HA) imports nothing from `runtime/`: the
 *   live runtime plugs ops into its loop, never the other way round;
 * - no cycle between nodes: a reader can order the folders so that each one
 *   depends only on those before it.
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { describe, it } from "node:test";
import { importSpecifiers, sourceFiles } from "./support/import-scan.js";
import { REPO_ROOT } from "./support/run-cli.js";

const SRC = join(REPO_ROOT, "src");
/** Top-level folders whose subfolders are nodes of their own. */
const SPLIT = new Set(["venues", "runtime"]);

/** The node of a path relative to src/ ("kernel", "venues/binance", "runtime", "runtime/live"). */
export function nodeOf(rel: string): string {
  const parts = rel.split(/[\\/]/);
  if (parts.length === 1) return "(src)";
  const top = parts[0] as string;
  if (SPLIT.has(top) && parts.length > 2) return `${top}/${parts[1]}`;
  return top;
}

/** One import between two nodes, with the file that makes it. */
export interface Edge {
  readonly from: string;
  readonly to: string;
  readonly file: string;
  readonly spec: string;
}

/** Every cross-node import of src/'s non-test files. */
export function folderEdges(src = SRC): Edge[] {
  const edges: Edge[] = [];
  for (const file of sourceFiles(src)) {
    const rel = relative(src, file);
    const from = nodeOf(rel);
    for (const spec of importSpecifiers(readFileSync(file, "utf8"))) {
      if (!spec.startsWith(".")) continue;
      const target = relative(src, resolve(dirname(file), spec));
      if (target.startsWith("..")) continue; // outside src/ (never in shipped code)
      const to = nodeOf(target);
      if (to !== from) edges.push({ from, to, file: rel.split(sep).join("/"), spec });
    }
  }
  return edges;
}

/** Strongly connected components with more than one node (Tarjan), each sorted. */
export function cycles(edges: readonly Pick<Edge, "from" | "to">[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    if (!next.has(e.from)) next.set(e.from, new Set());
    if (!next.has(e.to)) next.set(e.to, new Set());
    next.get(e.from)?.add(e.to);
  }
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      for (;;) {
        const w = stack.pop() as string;
        onStack.delete(w);
        scc.push(w);
        if (w === v) break;
      }
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}

describe("folder dependencies of src/", () => {
  const edges = folderEdges();

  it("sees the tree (a scan that finds nothing proves nothing)", () => {
    assert.ok(edges.length > 50, `only ${edges.length} cross-folder imports found`);
    const nodes = new Set(edges.flatMap((e) => [e.from, e.to]));
    for (const n of [
      "kernel",
      "domain",
      "ops",
      "runtime/live",
      "venues/binance",
      "venues/reference",
    ])
      assert.ok(nodes.has(n), `node ${n}`);
  });

  it("ops/ imports nothing from runtime/", () => {
    const bad = edges
      .filter((e) => e.from === "ops" && (e.to === "runtime" || e.to.startsWith("runtime/")))
      .map((e) => `${e.file} imports ${e.spec}`);
    assert.deepEqual(bad, [], "expected no import from src/ops/** into src/runtime/**");
  });

  it("no cycle between folders", () => {
    const found = cycles(edges).map((scc) => {
      const inside = edges
        .filter((e) => scc.includes(e.from) && scc.includes(e.to))
        .map((e) => `  ${e.from} -> ${e.to} (${e.file} imports ${e.spec})`);
      return `cycle ${scc.join(" <-> ")}:\n${[...new Set(inside)].join("\n")}`;
    });
    assert.deepEqual(found, [], `expected no cycle between folders, found:\n${found.join("\n")}`);
  });

  it("the checks catch what they look for (synthetic graphs)", () => {
    assert.equal(nodeOf("venues/binance/x.ts"), "venues/binance");
    assert.equal(nodeOf("runtime/simulation.ts"), "runtime");
    assert.equal(nodeOf("runtime/live/live-mode.ts"), "runtime/live");
    assert.equal(nodeOf("kernel/sub/x.ts"), "kernel");
    assert.deepEqual(
      cycles([
        { from: "a", to: "b" },
        { from: "b", to: "c" },
        { from: "c", to: "a" },
        { from: "c", to: "d" },
      ]),
      [["a", "b", "c"]],
    );
    assert.deepEqual(
      cycles([
        { from: "runtime/live", to: "ops" },
        { from: "ops", to: "core" },
      ]),
      [],
    );
  });
});
