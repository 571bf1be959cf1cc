import assert from "node:assert/strict";
import { it } from "node:test";
import { HA_ENV_NAMES, loadHaConfig, newInstanceId, redactRedisUrl } from "./ha-config.js";

it("defaults: HA off, local Redis, 10 s lock renewed every 3 s", () => {
  const c = loadHaConfig({}, () => "grinder-test0001");
  assert.deepEqual(c, {
    enabled: false,
    redisUrl: "redis://localhost:6379/0",
    lockKey: "grinder:leader:lock",
    lockTtlMs: 10000,
    renewIntervalMs: 3000,
    instanceId: "grinder-test0001",
  });
  assert.match(newInstanceId(), /^grinder-[0-9a-f]{8}$/);
  assert.deepEqual(HA_ENV_NAMES, [
    "GRINDER_HA_ENABLED",
    "GRINDER_REDIS_URL",
    "GRINDER_HA_LOCK_TTL_MS",
    "GRINDER_HA_RENEW_INTERVAL_MS",
    "GRINDER_HA_INSTANCE_ID",
  ]);
});

it("reads every variable", () => {
  const c = loadHaConfig({
    GRINDER_HA_ENABLED: "TRUE",
    GRINDER_REDIS_URL: "redis://redis:6380/1",
    GRINDER_HA_LOCK_TTL_MS: "15000",
    GRINDER_HA_RENEW_INTERVAL_MS: "5000",
    GRINDER_HA_INSTANCE_ID: "grinder_live_1",
  });
  assert.deepEqual(c, {
    enabled: true,
    redisUrl: "redis://redis:6380/1",
    lockKey: "grinder:leader:lock",
    lockTtlMs: 15000,
    renewIntervalMs: 5000,
    instanceId: "grinder_live_1",
  });
  for (const v of ["1", "yes", "on", " true "])
    assert.equal(loadHaConfig({ GRINDER_HA_ENABLED: v }).enabled, true);
  for (const v of ["", "0", "no", "off", "false"])
    assert.equal(loadHaConfig({ GRINDER_HA_ENABLED: v }).enabled, false);
});

it("rejects bad values with the variable's name", () => {
  const bad: [Record<string, string>, RegExp][] = [
    [{ GRINDER_HA_ENABLED: "maybe" }, /GRINDER_HA_ENABLED must be true\/false/],
    [
      { GRINDER_REDIS_URL: "localhost:6379" },
      /GRINDER_REDIS_URL must be a redis:\/\/ or rediss:\/\//,
    ],
    [{ GRINDER_REDIS_URL: "http://x" }, /GRINDER_REDIS_URL must be a redis/],
    [{ GRINDER_REDIS_URL: "not a url" }, /GRINDER_REDIS_URL is not a URL/],
    [{ GRINDER_HA_LOCK_TTL_MS: "10s" }, /GRINDER_HA_LOCK_TTL_MS must be a whole number/],
    [{ GRINDER_HA_LOCK_TTL_MS: "0" }, /GRINDER_HA_LOCK_TTL_MS must be a positive/],
    [
      { GRINDER_HA_LOCK_TTL_MS: "999", GRINDER_HA_RENEW_INTERVAL_MS: "100" },
      /GRINDER_HA_LOCK_TTL_MS must be at least 1000/,
    ],
    [
      { GRINDER_HA_RENEW_INTERVAL_MS: "10000" },
      /GRINDER_HA_RENEW_INTERVAL_MS \(10000\) must be below GRINDER_HA_LOCK_TTL_MS/,
    ],
    [{ GRINDER_HA_RENEW_INTERVAL_MS: "9000" }, /safety margin \(1000\)/],
    [{ GRINDER_HA_RENEW_INTERVAL_MS: "-5" }, /GRINDER_HA_RENEW_INTERVAL_MS must be a whole number/],
    [{ GRINDER_HA_INSTANCE_ID: "a b" }, /GRINDER_HA_INSTANCE_ID may hold only/],
  ];
  for (const [env, re] of bad) assert.throws(() => loadHaConfig(env), re, JSON.stringify(env));
});

it("redacts a password in a Redis URL", () => {
  const url = ["redis://:", "s3cretpw", "@redis:6379/0"].join("");
  assert.equal(redactRedisUrl(url), "redis://:***@redis:6379/0");
  assert.equal(redactRedisUrl("redis://redis:6379/0"), "redis://redis:6379/0");
});
