/**
 * Every bad input a clear error (issue #16): the real `grinder` binary on
 * damaged copies of a shipped fixture, its config, Binance dumps and the
 * command line. One row per case: the exit code, what the message must say
 * (file:line or key path, the value and what was expected) and, for errors,
 * that nothing was written at --out. Rows run as child processes, a few at a
 * time.
 */

import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { COMMANDS } from "../src/cli/registry.js";
import { BTC, ETH, writeBookTicker } from "./support/binance-dumps.js";
import { BIN, REPO_ROOT, tempDir } from "./support/run-cli.js";

const ROOT = tempDir("grinder-input-errors-");
const SHIPPED = join(REPO_ROOT, "fixtures", "cycle_dd_guard");
let serial = 0;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function runAsync(args: readonly string[], onSpawn?: (c: ChildProcess) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => {
      stdout += b.toString("utf8");
    });
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code, signal) =>
      resolve({ code: code ?? (signal ? -1 : -2), stdout, stderr }),
    );
    onSpawn?.(child);
  });
}

/** A fresh directory for one row. */
function rowDir(): string {
  const d = join(ROOT, `row${serial++}`);
  mkdirSync(d, { recursive: true });
  return d;
}

/** A copy of the shipped fixture with line `lineNo` (1-based) replaced by `text`. */
function damagedEvents(lineNo: number, edit: (line: Record<string, unknown>) => unknown): string {
  const dir = join(rowDir(), "fx");
  cpSync(SHIPPED, dir, { recursive: true });
  const path = join(dir, "events.jsonl");
  const lines = readFileSync(path, "utf8").split("\n");
  const edited = edit(JSON.parse(lines[lineNo - 1] as string) as Record<string, unknown>);
  lines[lineNo - 1] = typeof edited === "string" ? edited : JSON.stringify(edited);
  writeFileSync(path, lines.join("\n"));
  return dir;
}

/** A copy of the shipped fixture with its config.json edited. */
function damagedConfig(edit: (c: Record<string, unknown>) => void): string {
  const dir = join(rowDir(), "fx");
  cpSync(SHIPPED, dir, { recursive: true });
  const path = join(dir, "config.json");
  const config = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
  edit(config);
  writeFileSync(path, JSON.stringify(config, null, 2));
  return dir;
}

function withField(k: string, v: unknown) {
  return (l: Record<string, unknown>) => ({ ...l, [k]: v });
}

/** Two days of BTCUSDT and ETHUSDT bookTicker dumps; `damage` edits the BTC day 1 file. */
function dumps(damage?: (path: string) => void): string {
  const dir = join(rowDir(), "data");
  for (const sym of [BTC, ETH]) writeBookTicker(dir, sym, "2026-01-01", 400, 7);
  const btc = join(dir, "futures/um/daily/bookTicker/BTCUSDT/BTCUSDT-bookTicker-2026-01-01.csv");
  damage?.(btc);
  return dir;
}

const DATA_ARGS = ["--symbols", "BTCUSDT,ETHUSDT", "--from", "2026-01-01", "--to", "2026-01-01"];
const LINE_OF_BAD_ROW = 5;

/** Stamp row LINE_OF_BAD_ROW (a data row after the header) three days later. */
function futureRow(path: string): void {
  const lines = readFileSync(path, "utf8").split("\n");
  const f = (lines[LINE_OF_BAD_ROW - 1] as string).split(",");
  const later = Number(f[6]) + 3 * 86_400_000;
  f[5] = String(later);
  f[6] = String(later);
  lines[LINE_OF_BAD_ROW - 1] = f.join(",");
  writeFileSync(path, lines.join("\n"));
}

interface Row {
  readonly name: string;
  /** Arguments; `OUT` is replaced by a fresh output path that must stay absent on error. */
  readonly args: () => string[];
  readonly code: number;
  readonly stderr?: RegExp[];
  readonly stdout?: RegExp[];
}

const ev = (mode: string, dir: string): string[] => [mode, "--fixture", dir, "--out", "OUT"];
const generate = (...more: string[]): string[] => [
  ...["fixture", "generate", "--out", "OUT", "--symbols", "AUSDT=1"],
  ...more,
];

const ROWS: Row[] = [
  // 1. Market data
  {
    name: "negative price",
    args: () => ev("replay", damagedEvents(3, withField("bid_price", "-1"))),
    code: 1,
    stderr: [/events\.jsonl:3: field "bid_price": expected a price > 0, got "-1"/],
  },
  {
    name: "zero price",
    args: () => ev("paper", damagedEvents(3, withField("ask_price", "0"))),
    code: 1,
    stderr: [/events\.jsonl:3: field "ask_price": expected a price > 0, got "0"/],
  },
  {
    name: "bid > ask",
    args: () =>
      ev(
        "paper",
        damagedEvents(4, (l) => ({ ...l, bid_price: "2.5", ask_price: "2.4" })),
      ),
    code: 1,
    stderr: [/events\.jsonl:4: crossed book: expected bid_price <= ask_price, got 2\.5 > 2\.4/],
  },
  {
    name: "a locked book (bid = ask) is valid",
    args: () => [
      "replay",
      "--fixture",
      damagedEvents(3, (l) => ({ ...l, bid_price: l.ask_price })),
    ],
    code: 0,
  },
  {
    name: "a 400-digit price",
    args: () => ev("paper", damagedEvents(3, withField("last_price", "9".repeat(400)))),
    code: 1,
    stderr: [
      /events\.jsonl:3: field "last_price": expected a plain decimal string of at most 28 digits such as "100\.5", got "9{20}/,
    ],
  },
  {
    name: '"1e3" as a price',
    args: () => ev("paper", damagedEvents(3, withField("bid_price", "1e3"))),
    code: 1,
    stderr: [/events\.jsonl:3: field "bid_price": expected a plain decimal string.*got "1e3"/],
  },
  {
    name: "negative quantity",
    args: () => ev("paper", damagedEvents(5, withField("ask_qty", "-3"))),
    code: 1,
    stderr: [/events\.jsonl:5: field "ask_qty": expected a quantity >= 0, got "-3"/],
  },
  {
    name: "negative quantity also fails backtest --fixtures",
    args: () => [
      "backtest",
      "--fixtures",
      damagedEvents(5, withField("bid_qty", "-1")),
      "--jobs",
      "1",
    ],
    code: 1,
    stdout: [/FAIL/, /events\.jsonl:5: field "bid_qty": expected a quantity >= 0/],
  },
  ...[
    ["a control character", "CYCA\u0001USDT"],
    ["a bidi override", "CYCA\u202eUSDT"],
    ["NUL", "CYCA\u0000USDT"],
    ["lower case", "cycausdt"],
  ].map(
    ([what, symbol]): Row => ({
      name: `symbol with ${what}`,
      args: () => ev("paper", damagedEvents(3, withField("symbol", symbol))),
      code: 1,
      stderr: [/events\.jsonl:3: field "symbol": expected a symbol of 1 to 32 upper-case letters/],
    }),
  ),
  {
    name: "invalid UTF-8 in a symbol",
    args: () => {
      const dir = damagedEvents(3, withField("symbol", "CYCAUSDT"));
      const path = join(dir, "events.jsonl");
      const bytes = readFileSync(path);
      const at = bytes.indexOf("CYCAUSDT", bytes.indexOf("\n", bytes.indexOf("\n") + 1));
      bytes[at + 3] = 0xff; // CYC\xffUSDT
      writeFileSync(path, bytes);
      return ev("paper", dir);
    },
    code: 1,
    stderr: [/events\.jsonl:3: field "symbol": expected a symbol/],
  },
  {
    name: "{} as an event",
    args: () =>
      ev(
        "paper",
        damagedEvents(3, () => "{}"),
      ),
    code: 1,
    stderr: [/events\.jsonl:3: field "type": expected "SNAPSHOT".*got nothing \(field missing\)/],
  },
  {
    name: '"type" missing',
    args: () =>
      ev(
        "replay",
        damagedEvents(3, (l) => {
          const { type: _, ...rest } = l;
          return rest;
        }),
      ),
    code: 1,
    stderr: [/events\.jsonl:3: field "type": expected "SNAPSHOT"/],
  },
  {
    name: '"snapshot" in lower case',
    args: () => ev("paper", damagedEvents(3, withField("type", "snapshot"))),
    code: 1,
    stderr: [/events\.jsonl:3: field "type": expected "SNAPSHOT".*got "snapshot"/],
  },
  {
    name: "TRADE events are counted and skipped with their first line",
    args: () => [
      "replay",
      "--fixture",
      damagedEvents(6, () => JSON.stringify({ ts: 1, type: "TRADE", symbol: "CYCAUSDT" })),
    ],
    code: 0,
    stderr: [/skipped 1 non-SNAPSHOT event\(s\): TRADE=1 \(first at .*events\.jsonl:6\)/],
  },
  // 2. Config
  {
    name: "unknown key in a fixture's config.json: a warning with the closest key",
    args: () => ["replay", "--fixture", damagedConfig((c) => (c.spacing_bsp = 5))],
    code: 0,
    stderr: [/config\.json: unknown option "spacing_bsp" \(did you mean spacing_bps\?\)/],
  },
  {
    name: "informational keys are known",
    args: () => [
      "replay",
      "--strict",
      "--fixture",
      damagedConfig((c) => {
        c.notes = "x";
        c.symbols = ["CYCAUSDT"];
        c.regimes = {};
        c.generator_seed = 1;
        c.expected_behavior = "y";
      }),
    ],
    code: 0,
  },
  {
    name: "--strict: an unknown key is an error",
    args: () =>
      ev(
        "paper",
        damagedConfig((c) => (c.spacing_bsp = 5)),
      ).concat("--strict"),
    code: 1,
    stderr: [/config\.json: unknown option "spacing_bsp" \(did you mean spacing_bps\?\)/],
  },
  {
    name: "a typo in a nested key (fixture config.json)",
    args: () =>
      ev(
        "paper",
        damagedConfig((c) => {
          c.dd_guard_v1_config = { portfolio_dd_limt: "0.1" };
        }),
      ),
    code: 1,
    stderr: [
      /config\.json: option "dd_guard_v1_config\.portfolio_dd_limt": unknown key \(did you mean portfolio_dd_limit\?\)/,
    ],
  },
  {
    name: "a typo in a nested key (--config), and every problem at once",
    args: () => {
      const cfg = join(rowDir(), "cfg.json");
      writeFileSync(
        cfg,
        JSON.stringify({
          dd_guard_v1_config: { portfolio_dd_limt: "0.1", symbol_dd_budgets: { BTCUSDT: "x" } },
          size_per_level: "-5",
          initial_capital: "-100",
          price_precision: 50,
        }),
      );
      return ev("paper", SHIPPED).concat("--config", cfg);
    },
    code: 1,
    stderr: [
      /cfg\.json: 5 problems:/,
      /option "dd_guard_v1_config\.portfolio_dd_limt": unknown key \(did you mean portfolio_dd_limit\?\)/,
      /option "dd_guard_v1_config\.symbol_dd_budgets\.BTCUSDT": expected a decimal string/,
      /option "size_per_level": expected a decimal > 0, got "-5"/,
      /option "initial_capital": expected a decimal > 0, got "-100"/,
      /option "price_precision": expected an integer >= 0 and <= 18, got 50/,
    ],
  },
  {
    name: 'dd_guard_v1_config limit "abc"',
    args: () =>
      ev(
        "paper",
        damagedConfig((c) => (c.dd_guard_v1_config = { portfolio_dd_limit: "abc" })),
      ),
    code: 1,
    stderr: [
      /fx\/config\.json: option "dd_guard_v1_config\.portfolio_dd_limit": expected a decimal string such as "100", got "abc"/,
    ],
  },
  {
    name: "duplicate key in --config, with the file's other problems",
    args: () => {
      const cfg = join(rowDir(), "cfg.json");
      writeFileSync(cfg, '{\n  "levels": 3,\n  "levels": 4,\n  "size_per_level": "-5"\n}\n');
      return ev("paper", SHIPPED).concat("--config", cfg);
    },
    code: 1,
    stderr: [
      /cfg\.json:3: duplicate key "levels"/,
      /cfg\.json: option "size_per_level": expected a decimal > 0, got "-5"/,
    ],
  },
  {
    name: "duplicate key in a fixture's config.json",
    args: () => {
      const dir = damagedConfig(() => {});
      const path = join(dir, "config.json");
      writeFileSync(
        path,
        readFileSync(path, "utf8")
          .replace('"levels"', '"x"')
          .replace("{", '{\n"fill_after_ticks": 2,'),
      );
      return ev("paper", dir);
    },
    code: 1,
    stderr: [/config\.json:\d+: duplicate key "fill_after_ticks"/],
  },
  // 3. Backtest verdicts
  {
    name: "a fixture without recorded digests is NO DIGEST, not PASS",
    args: () => [
      "backtest",
      "--jobs",
      "1",
      "--fixtures",
      damagedConfig((c) => {
        delete c.expected_paper_digest;
        delete c.expected_replay_digest;
      }),
    ],
    code: 1,
    stdout: [/NO DIGEST/, /no recorded digests/, /1 without recorded digests/],
  },
  {
    name: "a FAIL says why",
    args: () => [
      "backtest",
      "--jobs",
      "1",
      "--fixtures",
      damagedConfig((c) => (c.expected_paper_digest = "0000000000000000")),
    ],
    code: 1,
    stdout: [/FAIL/, /paper digest af2182debd37abf5, recorded 0000000000000000/],
  },
  // 4. Dumps
  {
    name: "a dump row stamped 3 days in the future",
    args: () => ["backtest", "--data", dumps(futureRow), ...DATA_ARGS, "--out", "OUT"],
    code: 1,
    stderr: [
      new RegExp(
        `BTCUSDT-bookTicker-2026-01-01\\.csv:${LINE_OF_BAD_ROW}: bad bookTicker row: time \\d+ \\(2026-01-04T.*\\) is outside the file's day: expected 2026-01-01 UTC`,
      ),
    ],
  },
  {
    name: "--on-bad-row skip: the row is counted per file with its line",
    args: () => [
      "backtest",
      "--data",
      dumps(futureRow),
      ...DATA_ARGS,
      "--on-bad-row",
      "skip",
      "--quiet",
    ],
    code: 0,
    stderr: [
      new RegExp(
        `skipped 1 bad row\\(s\\) in .*BTCUSDT-bookTicker-2026-01-01\\.csv \\(first at line ${LINE_OF_BAD_ROW}\\)`,
      ),
    ],
  },
  {
    name: "a wrong .CHECKSUM beside a dump",
    args: () => {
      const dir = dumps((p) =>
        writeFileSync(`${p}.CHECKSUM`, `${"ab".repeat(32)}  ${p.split("/").pop()}\n`),
      );
      return ["backtest", "--data", dir, ...DATA_ARGS, "--out", "OUT"];
    },
    code: 1,
    stderr: [
      /BTCUSDT-bookTicker-2026-01-01\.csv: SHA-256 [0-9a-f]{64} does not match .*\.csv\.CHECKSUM/,
    ],
  },
  {
    name: "--no-verify-checksum skips the check",
    args: () => {
      const dir = dumps((p) => writeFileSync(`${p}.CHECKSUM`, `${"ab".repeat(32)}  x.csv\n`));
      return ["backtest", "--data", dir, ...DATA_ARGS, "--no-verify-checksum", "--quiet"];
    },
    code: 0,
  },
  {
    name: "an unknown symbol in a list",
    args: () => [
      "backtest",
      "--data",
      dumps(),
      ...DATA_ARGS.map((a) => (a === "BTCUSDT,ETHUSDT" ? "BTCUSDT,SOLUSDT" : a)),
      "--out",
      "OUT",
    ],
    code: 1,
    stderr: [/no bookTicker files for SOLUSDT from 2026-01-01 to 2026-01-01/],
  },
  // 5. CLI and files
  {
    name: "--fixture FILE",
    args: () => ev("paper", join(SHIPPED, "events.jsonl")),
    code: 1,
    stderr: [/events\.jsonl: expected a fixture directory .*found a file/],
  },
  {
    name: "backtest --fixtures FILE",
    args: () => ["backtest", "--fixtures", join(SHIPPED, "config.json"), "--out", "OUT"],
    code: 1,
    stderr: [
      /--fixtures .*config\.json: expected a fixture directory or a folder of fixtures, found a file/,
    ],
  },
  {
    name: "--out DIR",
    args: () => ["paper", "--fixture", SHIPPED, "--out", rowDir()],
    code: 1,
    stderr: [/--out .*: .* is a directory; expected a file path/],
  },
  {
    name: "--out under a file",
    args: () => ["replay", "--fixture", SHIPPED, "--out", join(SHIPPED, "config.json", "x.json")],
    code: 1,
    stderr: [/--out .*config\.json\/x\.json: .*config\.json is a file, not a directory/],
  },
  {
    name: "events.jsonl a directory",
    args: () => {
      const dir = join(rowDir(), "fx");
      mkdirSync(join(dir, "events.jsonl"), { recursive: true });
      return ev("paper", dir);
    },
    code: 1,
    stderr: [/events\.jsonl: expected a file, found a directory/],
  },
  {
    name: "fixture generate --out EXISTING",
    args: () => ["fixture", "generate", "--out", SHIPPED, "--symbols", "AUSDT=1"],
    code: 1,
    stderr: [/--out .*cycle_dd_guard exists and is not empty; add --force to overwrite it/],
  },
  {
    name: "fixture generate --set nosuch=1",
    args: () => generate("--set", "nosuch=1"),
    code: 1,
    stderr: [/--set: unknown option "nosuch"/],
  },
  {
    name: "fixture generate --seed abc",
    args: () => generate("--seed", "abc"),
    code: 1,
    stderr: [/--seed: expected an integer >= 0, got "abc"/],
  },
  {
    name: "fixture generate calm:0 leaves nothing",
    args: () => generate("--regimes", "calm:0"),
    code: 1,
    stderr: [/regime "calm:0": expected "kind:events" .* and events >= 1/],
  },
  {
    name: "verify-determinism: identical runs, stale recorded digest",
    args: () => [
      "verify-determinism",
      "--fixture",
      damagedConfig((c) => (c.expected_paper_digest = "0000000000000000")),
    ],
    code: 1,
    stdout: [/the runs are identical, but the recorded paper digest is stale/],
  },
  {
    name: "grinder fixture lists its subcommands",
    args: () => ["fixture"],
    code: 2,
    stderr: [/fixture generate/, /fixture record/, /fixture regenerate/],
  },
  {
    name: "replay --help describes its options",
    args: () => ["replay", "--help"],
    code: 0,
    stdout: [
      /--fixture DIR {2,}\S/,
      /--out FILE {2,}\S/,
      /--config FILE {2,}\S/,
      /--strict {2,}\S/,
      /-v, --verbose/,
    ],
  },
  {
    name: "smoke-testnet --help",
    args: () => ["smoke-testnet", "--help"],
    code: 0,
    stdout: [/^(?![\s\S]*Usage: usage:)[\s\S]*Usage: grinder smoke-testnet/],
  },
];

/** Run `rows` with at most `width` processes at a time. */
async function pool<T>(
  items: readonly T[],
  width: number,
  fn: (x: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: width }, worker));
}

after(() => rmSync(ROOT, { recursive: true, force: true }));

describe("every bad input a clear error (table-driven, the real binary)", () => {
  test("every row: exit code, message, nothing written at --out", async () => {
    const failures: string[] = [];
    await pool(ROWS, 3, async (row) => {
      const out = join(rowDir(), "out", "result.json");
      const args = row.args().map((a) => (a === "OUT" ? out : a));
      const r = await runAsync(args);
      const problems: string[] = [];
      if (r.code !== row.code) problems.push(`exit ${r.code}, expected ${row.code}`);
      for (const re of row.stderr ?? [])
        if (!re.test(r.stderr)) problems.push(`stderr lacks ${re}`);
      for (const re of row.stdout ?? [])
        if (!re.test(r.stdout)) problems.push(`stdout lacks ${re}`);
      if (row.code !== 0 && args.includes(out)) {
        const dir = join(out, "..");
        const left = existsSync(dir) ? readdirSync(dir) : [];
        if (left.length > 0) problems.push(`left at --out: ${left.join(", ")}`);
        const tmp = readdirSync(join(dir, "..")).filter((n) => n.includes(".tmp-"));
        if (tmp.length > 0) problems.push(`left beside --out: ${tmp.join(", ")}`);
      }
      if (problems.length > 0) {
        failures.push(
          `${row.name}: ${problems.join("; ")}\n  stdout: ${r.stdout.slice(0, 600)}\n  stderr: ${r.stderr.slice(0, 600)}`,
        );
      }
    });
    assert.deepEqual(failures, []);
  });

  test("a reader that goes away (paper -v | head -1) ends the run quietly", async () => {
    const r = await runAsync(["paper", "-v", "--fixture", SHIPPED], (child) => {
      child.stdout?.once("data", () => child.stdout?.destroy());
    });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /EPIPE|Error|at /);
  });

  test("SIGTERM removes the run's temp files; a later run removes stale ones of dead processes", async () => {
    const dir = join(rowDir(), "big");
    const gen = await runAsync([
      "fixture",
      "generate",
      "--out",
      dir,
      "--symbols",
      "AUSDT=1,BUSDT=2",
      "--regimes",
      "calm:40000",
    ]);
    assert.equal(gen.code, 0, gen.stderr);
    const outDir = join(rowDir(), "out");
    const out = join(outDir, "r.json");
    const r = await runAsync(["replay", "--fixture", dir, "--out", out], (child) => {
      const poll = setInterval(() => {
        if (existsSync(outDir) && readdirSync(outDir).some((n) => n.includes(".outputs-"))) {
          clearInterval(poll);
          child.kill("SIGTERM");
        }
      }, 20);
      child.on("close", () => clearInterval(poll));
    });
    if (r.code === 0) {
      // The run beat the poll: nothing to interrupt on this machine; the result is whole.
      assert.ok(existsSync(out));
    } else {
      assert.equal(r.code, 143, r.stderr);
      assert.match(r.stderr, /interrupted \(SIGTERM\): removed \d+ temp file\(s\) of this run/);
      assert.deepEqual(readdirSync(outDir), []);
    }
    // A part file of a process that is gone (as after SIGKILL).
    mkdirSync(outDir, { recursive: true });
    const stale = join(outDir, "s.json.outputs-99999999");
    writeFileSync(stale, "[");
    const again = await runAsync(["replay", "--fixture", SHIPPED, "--out", join(outDir, "s.json")]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(
      again.stderr,
      /removed .*s\.json\.outputs-99999999, left by an earlier run that did not finish/,
    );
    assert.equal(existsSync(stale), false);
  });

  test("every --help describes every option its usage shows", () => {
    const undescribed: string[] = [];
    for (const c of COMMANDS) {
      const lines = c.usage.split("\n");
      // Usage lines: the command and its bracketed option lists; the rest describes.
      const isUsage = (l: string): boolean => /^\s*(grinder|\[|\()/.test(l);
      const flags = new Set(
        lines
          .filter(isUsage)
          .join(" ")
          .match(/--[a-z][a-z-]*/g) ?? [],
      );
      const described = lines.filter((l) => !isUsage(l)).join("\n");
      for (const f of flags) if (!described.includes(f)) undescribed.push(`${c.name} ${f}`);
    }
    assert.deepEqual(undescribed, []);
  });
});
