import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runCli, tempDir } from "../../../test/support/run-cli.js";
import { PROJECT_FIXTURES } from "../project-paths.js";
import { runBacktest } from "./backtest.js";

function embedded(html: string): {
  symbols: { symbol: string; line: { t: number[] } }[];
  portfolio: { t: number[] };
} {
  const m = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  assert.ok(m !== null, "embedded report data");
  return JSON.parse(m[1] as string);
}

describe("grinder backtest --report (fixtures)", () => {
  it("writes an HTML report with the chart data of every traded symbol of each fixture", () => {
    const dir = tempDir();
    const report = join(dir, "sub", "report.html");
    const r = runCli([
      "backtest",
      "--fixtures",
      "fixtures/toxic_jump",
      "--fixtures",
      "fixtures/multisymbol_topk",
      "--report",
      report,
      "--jobs",
      "2",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /HTML report written to: /);
    const html = readFileSync(report, "utf8");
    const data = embedded(html);
    const names = data.symbols.map((s) => s.symbol);
    assert.ok(names.includes("fixtures/toxic_jump JUMPUSDT"), names.join(", "));
    assert.ok(names.filter((n) => n.startsWith("fixtures/multisymbol_topk ")).length >= 2);
    for (const s of data.symbols) assert.ok(s.line.t.length > 0, `${s.symbol} has points`);
    // toxic_jump: one symbol, 200 outputs, all kept.
    assert.equal(data.symbols.find((s) => s.symbol.endsWith("JUMPUSDT"))?.line.t.length, 200);
    // Equity points a second apart: toxic_jump's events span 0 to 99.5 s, so 100 points from
    // it alone, and at least one from multisymbol_topk.
    assert.ok(data.portfolio.t.length >= 101, `${data.portfolio.t.length}`);
    assert.match(html, /fixtures\/toxic_jump<\/td>/); // the summary table
  });

  it("worker threads give the same series as a serial run", async () => {
    const dirs = ["toxic_jump", "controller_modes"].map((d) => join(PROJECT_FIXTURES, d));
    const serial = await runBacktest(dirs, 1, undefined, { withSeries: true });
    const parallel = await runBacktest(dirs, 2, undefined, { withSeries: true });
    assert.deepEqual(
      parallel.outcomes.map((o) => o.series),
      serial.outcomes.map((o) => o.series),
    );
    assert.ok(serial.outcomes.every((o) => o.series !== undefined));
    assert.equal(parallel.report.report_digest, serial.report.report_digest);
    const plain = await runBacktest(dirs, 1);
    assert.equal(
      plain.report.report_digest,
      serial.report.report_digest,
      "series leave the report alone",
    );
    assert.ok(plain.outcomes.every((o) => o.series === undefined));
  });
});
