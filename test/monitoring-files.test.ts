/**
 * The monitoring configuration (Prometheus, alert rules, Grafana) against the
 * metrics contract and the runbooks; promtool validates the rules when it is
 * installed.
 */

import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { checkExprAgainstContract } from "./support/promql-refs.js";
import { toolsRequired } from "./support/required-tool.js";
import { REPO_ROOT } from "./support/run-cli.js";

const ROOT = REPO_ROOT;
const MON = join(ROOT, "monitoring");

function yamlFile(rel: string): unknown {
  return parse(readFileSync(join(ROOT, rel), "utf8"));
}

function obj(v: unknown, what: string): Record<string, unknown> {
  assert.ok(typeof v === "object" && v !== null && !Array.isArray(v), `${what} is not a mapping`);
  return v as Record<string, unknown>;
}

function arr(v: unknown, what: string): unknown[] {
  assert.ok(Array.isArray(v), `${what} is not a list`);
  return v;
}

interface Rule {
  readonly alert: string;
  readonly expr: string;
  readonly severity: string;
  readonly annotations: Record<string, unknown>;
}

function loadRules(): Rule[] {
  const doc = obj(yamlFile("monitoring/alert_rules.yml"), "alert_rules.yml");
  const rules: Rule[] = [];
  for (const g of arr(doc.groups, "groups")) {
    const group = obj(g, "group");
    assert.equal(typeof group.name, "string");
    for (const r of arr(group.rules, `rules of ${String(group.name)}`)) {
      const rule = obj(r, "rule");
      const labels = obj(rule.labels, `labels of ${String(rule.alert)}`);
      rules.push({
        alert: String(rule.alert),
        expr: String(rule.expr),
        severity: String(labels.severity),
        annotations: obj(rule.annotations, `annotations of ${String(rule.alert)}`),
      });
    }
  }
  return rules;
}

/** Every `expr` string anywhere in a Grafana dashboard. */
function dashboardExprs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const x of node) dashboardExprs(x, out);
  else if (typeof node === "object" && node !== null) {
    for (const [k, v] of Object.entries(node)) {
      if (k === "expr" && typeof v === "string") out.push(v);
      else dashboardExprs(v, out);
    }
  }
  return out;
}

describe("alert rules", () => {
  const rules = loadRules();

  it("define the required alerts, each once, with severity, texts and a runbook section", () => {
    const names = rules.map((r) => r.alert);
    for (const required of [
      "GrinderDown",
      "GrinderTargetDown",
      "HighGatingBlocks",
      "ToxicityTriggers",
      "KillSwitchTripped",
    ]) {
      assert.ok(names.includes(required), `missing alert ${required}`);
    }
    assert.equal(new Set(names).size, names.length, "duplicate alert names");
    const runbook = readFileSync(join(ROOT, "docs/runbooks/06_ALERT_RESPONSE.md"), "utf8");
    for (const r of rules) {
      assert.ok(
        ["critical", "warning", "info"].includes(r.severity),
        `${r.alert}: severity ${r.severity}`,
      );
      assert.equal(typeof r.annotations.summary, "string", `${r.alert}: summary`);
      assert.equal(typeof r.annotations.description, "string", `${r.alert}: description`);
      assert.equal(
        r.annotations.runbook,
        `docs/runbooks/06_ALERT_RESPONSE.md#${r.alert.toLowerCase()}`,
        `${r.alert}: runbook link`,
      );
      assert.ok(
        runbook.includes(`\n### ${r.alert}\n`),
        `06_ALERT_RESPONSE.md has no section ### ${r.alert}`,
      );
    }
  });

  it("use only metrics, labels and label values of the metrics contract", () => {
    for (const r of rules) {
      assert.deepEqual(checkExprAgainstContract(r.expr), [], `${r.alert}: ${r.expr}`);
      assert.match(r.expr, /grinder_|up\{/, `${r.alert} reads no grinder metric`);
    }
  });

  it("pass `promtool check rules` when promtool is installed", (t) => {
    const probe = spawnSync("promtool", ["--version"], { stdio: "ignore" });
    if (probe.error !== undefined || probe.status !== 0) {
      if (toolsRequired()) assert.fail("promtool is not on PATH, and tools are required here");
      console.log(
        "# SKIP promtool is not on PATH: alert_rules.yml and prometheus.yml not checked by promtool",
      );
      t.skip("promtool not installed");
      return;
    }
    for (const args of [
      ["check", "rules", join(MON, "alert_rules.yml")],
      ["check", "config", join(MON, "prometheus.yml")],
    ]) {
      const r = spawnSync("promtool", args, { encoding: "utf8" });
      assert.equal(r.status, 0, `promtool ${args.join(" ")}:\n${r.stdout}\n${r.stderr}`);
    }
  });
});

describe("Prometheus configuration", () => {
  it("loads the alert rules and scrapes grinder's /metrics", () => {
    const cfg = obj(yamlFile("monitoring/prometheus.yml"), "prometheus.yml");
    assert.deepEqual(cfg.rule_files, ["alert_rules.yml"]);
    const jobs = arr(cfg.scrape_configs, "scrape_configs").map((j) => obj(j, "job"));
    const grinder = jobs.find((j) => j.job_name === "grinder");
    assert.ok(grinder !== undefined, 'no grinder job (the alert rules select job="grinder")');
    assert.equal(grinder.metrics_path, "/metrics");
    const targets = arr(
      obj(arr(grinder.static_configs, "static_configs")[0], "static").targets,
      "targets",
    );
    assert.deepEqual(targets, ["grinder:9090"]);
  });
});

describe("Grafana provisioning", () => {
  const dash = JSON.parse(
    readFileSync(join(MON, "grafana/provisioning/dashboards/grinder.json"), "utf8"),
  ) as Record<string, unknown>;

  it("dashboard queries use only contract metrics, labels and values", () => {
    const exprs = dashboardExprs(dash);
    assert.ok(exprs.length >= 10, `only ${exprs.length} queries`);
    for (const e of exprs) assert.deepEqual(checkExprAgainstContract(e), [], e);
  });

  it("dashboard covers the headline metrics and is well-formed", () => {
    const all = dashboardExprs(dash).join("\n");
    for (const m of [
      "grinder_up",
      "grinder_uptime_seconds",
      "grinder_gating_allowed_total",
      "grinder_gating_blocked_total",
      "grinder_kill_switch_triggered",
      "grinder_drawdown_pct",
      "grinder_ha_role",
      "grinder_venue_halted",
      "grinder_order_ack_latency_seconds_bucket",
      "grinder_tick_to_order_latency_seconds_bucket",
    ]) {
      assert.ok(all.includes(m), `dashboard does not show ${m}`);
    }
    assert.equal(typeof dash.uid, "string");
    assert.equal(typeof dash.title, "string");
    const panels = arr(dash.panels, "panels").map((p) => obj(p, "panel"));
    const ids = panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, "duplicate panel ids");
    for (const p of panels) obj(p.gridPos, `gridPos of panel ${String(p.title)}`);
  });

  it("panels use the provisioned datasource; the provider serves the mounted folder", () => {
    const ds = obj(
      yamlFile("monitoring/grafana/provisioning/datasources/datasource.yml"),
      "datasource.yml",
    );
    const source = obj(arr(ds.datasources, "datasources")[0], "datasource");
    assert.equal(source.type, "prometheus");
    assert.equal(source.url, "http://prometheus:9090");
    const uids = new Set<string>();
    (function walk(n: unknown): void {
      if (Array.isArray(n)) n.forEach(walk);
      else if (typeof n === "object" && n !== null) {
        const o = n as Record<string, unknown>;
        if (typeof o.datasource === "object" && o.datasource !== null) {
          uids.add(String((o.datasource as Record<string, unknown>).uid));
        }
        Object.values(o).forEach(walk);
      }
    })(dash);
    assert.deepEqual([...uids], [source.uid]);
    const prov = obj(
      yamlFile("monitoring/grafana/provisioning/dashboards/dashboard.yml"),
      "dashboard.yml",
    );
    const provider = obj(arr(prov.providers, "providers")[0], "provider");
    assert.equal(provider.type, "file");
    assert.equal(obj(provider.options, "options").path, "/etc/grafana/provisioning/dashboards");
  });
});

describe("soak thresholds", () => {
  it("define baseline and a never-stricter overload", () => {
    const t = obj(yamlFile("monitoring/soak_thresholds.yml"), "soak_thresholds.yml");
    const base = obj(t.baseline, "baseline");
    const over = obj(t.overload, "overload");
    for (const k of [
      "decision_latency_p99_ms",
      "order_latency_p99_ms",
      "errors_total",
      "events_dropped",
      "rss_mb_max",
    ]) {
      assert.equal(typeof base[k], "number", `baseline.${k}`);
      assert.equal(typeof over[k], "number", `overload.${k}`);
      assert.ok(
        (over[k] as number) >= (base[k] as number),
        `overload.${k} is stricter than baseline`,
      );
    }
    for (const mode of [base, over]) {
      const fr = obj(mode.fill_rate, "fill_rate");
      const min = fr.min as number;
      const max = fr.max as number;
      assert.ok(0 <= min && min <= max && max <= 1, `fill_rate ${min}..${max}`);
    }
    assert.ok((obj(over.fill_rate, "f").min as number) <= (obj(base.fill_rate, "f").min as number));
    assert.ok(existsSync(join(MON, "soak_thresholds.yml")));
  });
});
