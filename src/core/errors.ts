/**
 * Typed errors shared by every layer. Each class carries a stable `code` so a
 * caller can tell them apart across module copies without `instanceof`.
 */

export class GrinderError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An external input (fixture line, config field, CLI flag, env var, exchange reply) is malformed. */
export class InvalidInputError extends GrinderError {
  constructor(message: string) {
    super("INVALID_INPUT", message);
  }
}

/** A configuration value is missing, unknown or of the wrong type. */
export class ConfigError extends GrinderError {
  constructor(message: string) {
    super("CONFIG", message);
  }
}

/** A run was stopped on request (SIGINT, SIGTERM) before its end. */
export class InterruptedError extends GrinderError {
  constructor(message: string) {
    super("INTERRUPTED", message);
  }
}

export function isGrinderError(e: unknown): e is GrinderError {
  return (
    typeof e === "object" &&
    e !== null &&
    typeof (e as { code?: unknown }).code === "string" &&
    e instanceof Error
  );
}

/** Message of any thrown value. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
