/**
 * HA settings from the environment, validated: a bad value fails with an
 * error that names the variable, never silently falls back to a default.
 */

import { randomBytes } from "node:crypto";
import { ConfigError } from "../../core/errors.js";

export const HA_ENV = {
  ENABLED: "GRINDER_HA_ENABLED",
  REDIS_URL: "GRINDER_REDIS_URL",
  LOCK_TTL_MS: "GRINDER_HA_LOCK_TTL_MS",
  RENEW_INTERVAL_MS: "GRINDER_HA_RENEW_INTERVAL_MS",
  INSTANCE_ID: "GRINDER_HA_INSTANCE_ID",
} as const;

/** Every environment variable the HA layer reads. */
export const HA_ENV_NAMES: readonly string[] = Object.values(HA_ENV);

export const DEFAULT_REDIS_URL = "redis://localhost:6379/0";
export const DEFAULT_LOCK_KEY = "grinder:leader:lock";
/** The fencing epoch: incremented at every acquisition of the lock. */
export const DEFAULT_EPOCH_KEY = "grinder:leader:epoch";
export const DEFAULT_LOCK_TTL_MS = 10_000;
export const DEFAULT_RENEW_INTERVAL_MS = 3_000;
/** Shortest lock TTL accepted from the environment. */
export const MIN_ENV_LOCK_TTL_MS = 1_000;

export interface HaConfig {
  readonly enabled: boolean;
  readonly redisUrl: string;
  readonly lockKey: string;
  readonly lockTtlMs: number;
  readonly renewIntervalMs: number;
  readonly instanceId: string;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** A fresh instance id: `grinder-` and 8 hex digits. */
export function newInstanceId(): string {
  return `grinder-${randomBytes(4).toString("hex")}`;
}

/**
 * Time kept between the local end of a lease and the lock's expiry in Redis,
 * absorbing timer lateness: a tenth of the TTL, at least 1 ms.
 */
export function leaseSafetyMarginMs(lockTtlMs: number): number {
  return Math.max(1, Math.floor(lockTtlMs / 10));
}

/** Check TTL and renewal interval against each other; `label` names their source. */
export function validateLeaseTiming(
  lockTtlMs: number,
  renewIntervalMs: number,
  label: { ttl: string; renew: string } = { ttl: "lockTtlMs", renew: "renewIntervalMs" },
): void {
  if (!Number.isSafeInteger(lockTtlMs) || lockTtlMs <= 0) {
    throw new ConfigError(`${label.ttl} must be a positive integer (got ${lockTtlMs})`);
  }
  if (!Number.isSafeInteger(renewIntervalMs) || renewIntervalMs <= 0) {
    throw new ConfigError(`${label.renew} must be a positive integer (got ${renewIntervalMs})`);
  }
  const margin = leaseSafetyMarginMs(lockTtlMs);
  if (renewIntervalMs + margin >= lockTtlMs) {
    throw new ConfigError(
      `${label.renew} (${renewIntervalMs}) must be below ${label.ttl} (${lockTtlMs}) minus its ` +
        `safety margin (${margin}), so the lock is renewed before the lease runs out`,
    );
  }
}

function parseBool(env: Env, name: string): boolean {
  const raw = env[name];
  if (raw === undefined) return false;
  const v = raw.trim().toLowerCase();
  if (v === "" || v === "false" || v === "0" || v === "no" || v === "off") return false;
  if (v === "true" || v === "1" || v === "yes" || v === "on") return true;
  throw new ConfigError(
    `${name} must be true/false (also 1/0, yes/no, on/off), got ${JSON.stringify(raw)}`,
  );
}

function parseMs(env: Env, name: string, dflt: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return dflt;
  const v = raw.trim();
  if (!/^[0-9]+$/.test(v)) {
    throw new ConfigError(
      `${name} must be a whole number of milliseconds, got ${JSON.stringify(raw)}`,
    );
  }
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new ConfigError(
      `${name} must be a positive number of milliseconds, got ${JSON.stringify(raw)}`,
    );
  }
  return n;
}

function parseRedisUrl(env: Env, name: string): string {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return DEFAULT_REDIS_URL;
  const v = raw.trim();
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new ConfigError(`${name} is not a URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    throw new ConfigError(
      `${name} must be a redis:// or rediss:// URL, got ${JSON.stringify(raw)}`,
    );
  }
  if (url.hostname === "") throw new ConfigError(`${name} has no host: ${JSON.stringify(raw)}`);
  return v;
}

function parseInstanceId(env: Env, name: string, make: () => string): string {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return make();
  const v = raw.trim();
  if (!/^[A-Za-z0-9._:-]{1,128}$/.test(v)) {
    throw new ConfigError(
      `${name} may hold only letters, digits and . _ : - (1 to 128 characters), got ${JSON.stringify(raw)}`,
    );
  }
  return v;
}

/** Read and validate the HA settings; settings are checked even when HA is off. */
export function loadHaConfig(env: Env, makeInstanceId: () => string = newInstanceId): HaConfig {
  const enabled = parseBool(env, HA_ENV.ENABLED);
  const redisUrl = parseRedisUrl(env, HA_ENV.REDIS_URL);
  const lockTtlMs = parseMs(env, HA_ENV.LOCK_TTL_MS, DEFAULT_LOCK_TTL_MS);
  const renewIntervalMs = parseMs(env, HA_ENV.RENEW_INTERVAL_MS, DEFAULT_RENEW_INTERVAL_MS);
  if (lockTtlMs < MIN_ENV_LOCK_TTL_MS) {
    throw new ConfigError(
      `${HA_ENV.LOCK_TTL_MS} must be at least ${MIN_ENV_LOCK_TTL_MS} ms for safety, got ${lockTtlMs}`,
    );
  }
  validateLeaseTiming(lockTtlMs, renewIntervalMs, {
    ttl: HA_ENV.LOCK_TTL_MS,
    renew: HA_ENV.RENEW_INTERVAL_MS,
  });
  const instanceId = parseInstanceId(env, HA_ENV.INSTANCE_ID, makeInstanceId);
  return { enabled, redisUrl, lockKey: DEFAULT_LOCK_KEY, lockTtlMs, renewIntervalMs, instanceId };
}

/** The Redis URL with any password replaced by `***`, for logs. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== "") u.password = "***";
    return u.toString();
  } catch {
    return "<invalid url>";
  }
}
