/** The run summary (report/summary.ts) built from a paper run's taps. */

import type { Decimal } from "../../core/decimal.js";
import type { AccountState } from "../../kernel/kernel-types.js";
import { SummaryBuilder } from "../../report/summary.js";
import type { PaperTap } from "./backtest-tap.js";

/** A summary builder fed by a tap (started afresh with every trading pass). */
export function summaryTap(initialCapital: Decimal): {
  readonly tap: PaperTap;
  readonly builder: () => SummaryBuilder;
  readonly last: () => AccountState | undefined;
} {
  let builder = new SummaryBuilder(initialCapital);
  let last: AccountState | undefined;
  return {
    tap: {
      onTrading: () => {
        builder = new SummaryBuilder(initialCapital);
        last = undefined;
      },
      onFill: (b) => builder.addFill(b),
      onFunding: (f) => builder.addFunding(f.payment),
      onAccount: (ts, a) => {
        builder.addEquity(ts, a);
        last = a;
      },
    },
    builder: () => builder,
    last: () => last,
  };
}
