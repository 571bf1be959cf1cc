#!/usr/bin/env node
// Removes build output folders before a build, so modules deleted from the
// sources (and their tests) do not linger in dist/ or build/test/.
import { rmSync } from "node:fs";

for (const dir of process.argv.slice(2)) rmSync(dir, { recursive: true, force: true });
