/**
 * Dockerfile and compose files against the CLI they start: the command and
 * flags must parse as `grinder live` arguments, ports and health checks must
 * match `--metrics-port`, environment variables must be ones grinder reads
 * (with valid values), and referenced files must exist.
 */

import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { parse } from "yaml";
import { HA_ENV_NAMES, loadHaConfig } from "../src/ops/ha/ha-config.js";
import { type LiveRunOptions, parseLiveRunArgs } from "../src/runtime/live/live-runtime-options.js";
import { REPO_ROOT } from "./support/run-cli.js";

const ROOT = REPO_ROOT;

interface Instruction {
  readonly op: string;
  readonly args: string;
}

/** Dockerfile instructions with continuation lines joined and comments dropped. */
function dockerfile(): Instruction[] {
  const text = readFileSync(join(ROOT, "Dockerfile"), "utf8");
  const out: Instruction[] = [];
  let pending = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (pending === "" && (line === "" || line.startsWith("#"))) continue;
    if (line.endsWith("\\")) {
      pending += line.slice(0, -1) + " ";
      continue;
    }
    const full = (pending + line).trim();
    pending = "";
    const sp = full.indexOf(" ");
    out.push({ op: full.slice(0, sp).toUpperCase(), args: full.slice(sp + 1).trim() });
  }
  return out;
}

function jsonArray(s: string): string[] {
  const v: unknown = JSON.parse(s);
  assert.ok(
    Array.isArray(v) && v.every((x) => typeof x === "string"),
    `not a JSON string array: ${s}`,
  );
  return v as string[];
}

/** The process entry point of the `grinder` command. */
const CLI_ENTRY = "dist/cli/bin.js";

/** package.json's bin entry for grinder, when it declares one. */
function packageBin(): string | undefined {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
    bin?: Record<string, string> | string;
  };
  const bin = typeof pkg.bin === "string" ? pkg.bin : pkg.bin?.grinder;
  return bin?.replace(/^\.\//, "");
}

/** The TypeScript source a compiled dist/ path comes from. */
function sourceOf(distPath: string): string {
  return distPath.replace(/^dist\//, "src/").replace(/\.js$/, ".ts");
}

describe("Dockerfile", () => {
  const ins = dockerfile();
  const last = (op: string): Instruction => {
    const found = ins.filter((i) => i.op === op).at(-1);
    assert.ok(found !== undefined, `no ${op}`);
    return found;
  };

  it("runs `grinder live` through the CLI's entry point", () => {
    const entry = jsonArray(last("ENTRYPOINT").args);
    assert.deepEqual(entry, ["node", CLI_ENTRY, "live"]);
    assert.ok(existsSync(join(ROOT, sourceOf(CLI_ENTRY))), `${sourceOf(CLI_ENTRY)} does not exist`);
    const bin = packageBin();
    if (bin !== undefined)
      assert.equal(bin, CLI_ENTRY, "package.json bin and the image entry point differ");
  });

  it("default arguments parse, and port, EXPOSE and health check agree", () => {
    const opts: LiveRunOptions = parseLiveRunArgs(jsonArray(last("CMD").args));
    assert.equal(last("EXPOSE").args, String(opts.metricsPort));
    // grinder binds 127.0.0.1 by default: a container must bind every interface explicitly.
    assert.equal(opts.metricsHost, "0.0.0.0", "the image binds --metrics-host 0.0.0.0");
    const hc = last("HEALTHCHECK").args;
    const cmd = jsonArray(hc.slice(hc.indexOf("CMD") + 3).trim());
    assert.equal(cmd[0], "node", "health check runs node (the image has no curl)");
    assert.ok(
      cmd.join(" ").includes(`:${opts.metricsPort}/healthz`),
      "health check probes /healthz on the metrics port",
    );
  });

  it("uses no curl/wget, runs as a non-root user, on Node 20", () => {
    for (const i of ins) assert.ok(!/\b(curl|wget)\b/.test(i.args), `${i.op} ${i.args}`);
    assert.equal(last("USER").args, "node");
    for (const f of ins.filter((i) => i.op === "FROM"))
      assert.match(f.args, /^node:20[-.\w]*( AS \w+)?$/i);
  });

  it("copies only paths that exist and that .dockerignore does not exclude", () => {
    const ignore = readFileSync(join(ROOT, ".dockerignore"), "utf8")
      .split("\n")
      .map((l) => l.trim().replace(/\/$/, ""))
      .filter((l) => l !== "" && !l.startsWith("#"));
    for (const c of ins.filter((i) => i.op === "COPY" && !i.args.startsWith("--from"))) {
      const parts = c.args.split(/\s+/);
      for (const src of parts.slice(0, -1)) {
        const p = src.replace(/\/$/, "");
        assert.ok(existsSync(join(ROOT, p)), `COPY source ${p} does not exist`);
        assert.ok(!ignore.includes(p), `COPY source ${p} is excluded by .dockerignore`);
      }
    }
  });
});

interface Service {
  readonly name: string;
  readonly raw: Record<string, unknown>;
}

function compose(file: string): Service[] {
  const doc = parse(readFileSync(join(ROOT, file), "utf8")) as {
    services: Record<string, Record<string, unknown>>;
  };
  return Object.entries(doc.services).map(([name, raw]) => ({ name, raw }));
}

function envOf(s: Service): Record<string, string> {
  const env: Record<string, string> = {};
  const e = s.raw.environment;
  if (Array.isArray(e)) {
    for (const item of e as string[]) {
      const eq = item.indexOf("=");
      env[item.slice(0, eq)] = item.slice(eq + 1);
    }
  } else if (typeof e === "object" && e !== null) {
    for (const [k, v] of Object.entries(e)) env[k] = String(v);
  }
  return env;
}

/** [host, container] port pairs. */
function portsOf(s: Service): [number, number][] {
  return ((s.raw.ports as string[] | undefined) ?? []).map((p) => {
    const [h, c] = p.split(":");
    return [Number(h), Number(c)];
  });
}

/** Checks shared by every grinder service; returns its parsed options. */
function checkGrinderService(s: Service, file: string): LiveRunOptions {
  const where = `${file} ${s.name}`;
  assert.equal(s.raw.build, ".", `${where}: builds the Dockerfile`);
  const command = s.raw.command;
  assert.ok(Array.isArray(command), `${where}: command must be a list`);
  const opts = parseLiveRunArgs(command as string[]);
  const containerPorts = portsOf(s).map(([, c]) => c);
  assert.deepEqual(containerPorts, [opts.metricsPort], `${where}: publishes --metrics-port`);
  assert.equal(opts.metricsHost, "0.0.0.0", `${where}: binds --metrics-host 0.0.0.0 explicitly`);
  const env = envOf(s);
  for (const k of Object.keys(env)) {
    assert.ok(
      HA_ENV_NAMES.includes(k),
      `${where}: ${k} is not read by grinder (known: ${HA_ENV_NAMES.join(", ")})`,
    );
  }
  assert.doesNotThrow(() => loadHaConfig(env), `${where}: environment must be valid`);
  const hc = (s.raw.healthcheck as { test: string[] }).test;
  assert.equal(hc[1], "node", `${where}: health check runs node`);
  assert.ok(
    hc.join(" ").includes(`:${opts.metricsPort}/healthz`),
    `${where}: health check probes /healthz`,
  );
  return opts;
}

describe("docker-compose.observability.yml", () => {
  const file = "docker-compose.observability.yml";
  const services = compose(file);
  const byName = (n: string): Service => {
    const s = services.find((x) => x.name === n);
    assert.ok(s !== undefined, `${file}: no service ${n}`);
    return s;
  };

  it("runs grinder on the port Prometheus scrapes", () => {
    const opts = checkGrinderService(byName("grinder"), file);
    const prom = parse(readFileSync(join(ROOT, "monitoring/prometheus.yml"), "utf8")) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const job = prom.scrape_configs.find((j) => j.job_name === "grinder");
    assert.deepEqual(job?.static_configs[0]?.targets, [`grinder:${opts.metricsPort}`]);
    assert.deepEqual(portsOf(byName("grinder")), [[9090, opts.metricsPort]]);
  });

  it("mounts monitoring files that exist, on the host ports the docs use", () => {
    const mounts = [
      ...((byName("prometheus").raw.volumes as string[]) ?? []),
      ...((byName("grafana").raw.volumes as string[]) ?? []),
    ].filter((v) => v.startsWith("./"));
    assert.ok(mounts.length >= 3);
    for (const m of mounts) {
      const src = m.split(":")[0] as string;
      assert.ok(existsSync(join(ROOT, src)), `${file}: mounted ${src} does not exist`);
    }
    assert.ok(
      mounts.some((m) =>
        m.startsWith("./monitoring/alert_rules.yml:/etc/prometheus/alert_rules.yml"),
      ),
    );
    assert.ok(
      mounts.some((m) =>
        m.startsWith("./monitoring/grafana/provisioning:/etc/grafana/provisioning"),
      ),
    );
    assert.deepEqual(portsOf(byName("prometheus")), [[9091, 9090]]);
    assert.deepEqual(portsOf(byName("grafana")), [[3000, 3000]]);
  });
});

describe("docker-compose.ha.yml", () => {
  const file = "docker-compose.ha.yml";
  const services = compose(file);
  const grinders = services.filter((s) => s.raw.build === ".");

  it("runs two HA instances against the compose Redis, on distinct host ports and ids", () => {
    assert.equal(grinders.length, 2);
    const redis = services.find((s) => String(s.raw.image ?? "").startsWith("redis:"));
    assert.ok(redis !== undefined, "no redis service");
    const hostPorts: number[] = [];
    const ids: string[] = [];
    for (const g of grinders) {
      checkGrinderService(g, file);
      const cfg = loadHaConfig(envOf(g));
      assert.equal(cfg.enabled, true, `${g.name}: GRINDER_HA_ENABLED`);
      assert.equal(new URL(cfg.redisUrl).hostname, redis.name, `${g.name}: GRINDER_REDIS_URL host`);
      assert.ok(
        Object.keys(g.raw.depends_on as object).includes(redis.name),
        `${g.name} waits for Redis`,
      );
      hostPorts.push(...portsOf(g).map(([h]) => h));
      ids.push(cfg.instanceId);
      assert.equal(
        g.raw.container_name,
        cfg.instanceId,
        `${g.name}: instance id names the container`,
      );
    }
    assert.deepEqual(hostPorts, [9090, 9091]);
    assert.equal(new Set(ids).size, 2);
  });
});
