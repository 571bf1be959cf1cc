/**
 * Listing the files of a tree for the repository checks: sorted, symlinks not
 * followed, vendored and generated folders skipped. `textFiles` is the one
 * loop both checks run: walk, skip binary and oversized files, read.
 */

import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

/** Folders no check looks into. */
export const DEFAULT_SKIPPED_DIRS: readonly string[] = [
  ".git",
  "node_modules",
  "dist",
  "coverage",
  ".cache",
];

/** Path relative to `root`, with forward slashes. */
export function relPosix(root: string, path: string): string {
  const r = relative(root, path);
  return sep === "/" ? r : r.split(sep).join("/");
}

/** Every regular file under `dir` (or `dir` itself when it is a file), sorted by path. */
export function walkFiles(
  dir: string,
  skipDirs: readonly string[] = DEFAULT_SKIPPED_DIRS,
): string[] {
  const out: string[] = [];
  const st = lstatSync(dir);
  if (st.isFile()) return [dir];
  const visit = (d: string): void => {
    const names = readdirSync(d).sort();
    for (const name of names) {
      const p = join(d, name);
      const s = lstatSync(p);
      if (s.isDirectory()) {
        if (!skipDirs.includes(name)) visit(p);
      } else if (s.isFile()) {
        out.push(p);
      }
    }
  };
  if (st.isDirectory()) visit(dir);
  return out;
}

/** A NUL byte in the first 8000 bytes marks a binary file (as git decides). */
export function looksBinary(buf: Uint8Array): boolean {
  const n = Math.min(buf.length, 8000);
  for (let i = 0; i < n; i++) if (buf[i] === 0) return true;
  return false;
}

export interface TextFileOptions {
  /** Files whose absolute path this returns true for are not read. */
  readonly skip?: (path: string) => boolean;
  /** Files larger than this are not read (data dumps, archives). */
  readonly maxBytes?: number;
}

/** Every text file under `target` (or `target` itself) with its content, in path order. */
export function* textFiles(
  target: string,
  options: TextFileOptions = {},
): Generator<{ readonly path: string; readonly text: string }> {
  for (const path of walkFiles(target)) {
    if (options.skip?.(path) === true) continue;
    if (options.maxBytes !== undefined && lstatSync(path).size > options.maxBytes) continue;
    const buf = readFileSync(path);
    if (looksBinary(buf)) continue;
    yield { path, text: buf.toString("utf8") };
  }
}

/** A glob (`*`, `**`, `?`) over forward-slash paths as a regular expression. */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        i++;
        if (glob[i + 1] === "/") {
          i++;
          re += "(?:.*/)?";
        } else {
          re += ".*";
        }
      } else {
        re += "[^/]*";
      }
    } else if (c === "?") {
      re += "[^/]";
    } else {
      re += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    }
  }
  return new RegExp(`^${re}$`);
}

/** Whether a forward-slash path matches a glob; a glob without "/" also matches the base name. */
export function matchesGlob(path: string, glob: string): boolean {
  const re = globToRegExp(glob.replace(/^\.\//, "").replace(/\/$/, "/**"));
  if (re.test(path)) return true;
  if (!glob.includes("/")) {
    const base = path.slice(path.lastIndexOf("/") + 1);
    return re.test(base);
  }
  return false;
}
