/** A non-retryable error of the drawdown guard: invalid inputs or configuration. */

import { GrinderError } from "../../core/errors.js";

export class GuardError extends GrinderError {
  constructor(message: string) {
    super("GUARD", message);
  }
}
