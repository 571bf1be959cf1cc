#!/usr/bin/env node
// Makes `npx grinder` work inside this checkout: npm links the bins of
// dependencies into node_modules/.bin, but not the project's own bin.
// Run from `prepare`, after the build.
import { chmodSync, mkdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";

const target = join("dist", "cli", "bin.js");
chmodSync(target, 0o755);
const binDir = join("node_modules", ".bin");
mkdirSync(binDir, { recursive: true });
const link = join(binDir, "grinder");
rmSync(link, { force: true });
symlinkSync(join("..", "..", target), link);
