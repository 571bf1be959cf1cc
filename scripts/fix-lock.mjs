#!/usr/bin/env node
// Re-adds the lock entries of @biomejs/biome's other-platform binaries.
// The npm registry reachable on our machines serves only the linux builds, so
// `npm install` drops the other platforms from package-lock.json and `npm ci`
// then refuses the lock ("Missing: @biomejs/cli-... from lock file"). Run this
// after any `npm install` that rewrites the lock: `node scripts/fix-lock.mjs`.
import { readFileSync, writeFileSync } from "node:fs";

const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
const biome = lock.packages["node_modules/@biomejs/biome"];
if (biome === undefined) throw new Error("@biomejs/biome is not in package-lock.json");
const platforms = {
  "android-arm64": ["android", "arm64", null],
  "android-x64": ["android", "x64", null],
  "darwin-arm64": ["darwin", "arm64", null],
  "darwin-x64": ["darwin", "x64", null],
  "linux-arm64": ["linux", "arm64", "glibc"],
  "linux-x64": ["linux", "x64", "glibc"],
  "linux-arm64-musl": ["linux", "arm64", "musl"],
  "linux-x64-musl": ["linux", "x64", "musl"],
  "win32-arm64": ["win32", "arm64", null],
  "win32-x64": ["win32", "x64", null],
};
let added = 0;
for (const [name, [os, cpu, libc]] of Object.entries(platforms)) {
  const key = `node_modules/@biomejs/cli-${name}`;
  if (lock.packages[key] !== undefined) continue;
  const entry = { version: biome.version, cpu: [cpu], dev: true };
  if (libc) entry.libc = [libc];
  Object.assign(entry, { license: "MIT OR Apache-2.0", optional: true, os: [os] });
  lock.packages[key] = entry;
  added++;
}
const sorted = {};
for (const k of Object.keys(lock.packages).sort()) sorted[k] = lock.packages[k];
lock.packages = sorted;
writeFileSync("package-lock.json", `${JSON.stringify(lock, null, 2)}\n`);
console.log(`package-lock.json: ${added} biome platform entr${added === 1 ? "y" : "ies"} added`);
