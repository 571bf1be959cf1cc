/**
 * An equity path computed by hand, as [minute, equity, position notional]
 * (initial capital 1000), for the equity statistics and the run summary:
 *
 *   time   equity  notional  hour close / drawdown
 *   00:00  1000    0
 *   00:40  1100    200       peak 1100 at 00:40; hour 0 closes at 1100: r0 = +0.1
 *   01:10  1045    200       dd 55/1100 = 5 %
 *   01:50   990    0         dd 110/1100 = 10 % (the maximum); hour 1 closes 990: r1 = -0.1
 *   (no point in hour 2: it closes at 990, r2 = 0)
 *   03:20  1100    100       back at the peak: that drawdown lasted 00:40 -> 03:20 = 9600 s
 *   03:50  1089    100       dd 1 %; hour 3 closes 1089: r3 = 1089/990 - 1 = +0.1
 *   04:30  1197.9  0         new peak (03:20 -> 04:30 = 4200 s under water); r4 = +0.1
 *
 * Returns [0.1, -0.1, 0, 0.1, 0.1]: mean 0.04; deviations 0.06, -0.14, -0.04, 0.06, 0.06,
 * squares sum to 0.032, sample variance 0.032 / 4 = 0.008; Sharpe = 0.04 / sqrt(0.008) x
 * sqrt(8760) ~ 41.86. Downside: only -0.1, sum of squares 0.01, / 5 = 0.002; Sortino = 0.04 /
 * sqrt(0.002) x sqrt(8760) ~ 83.71.
 * In the market (notional != 0 at the start of the interval): 00:40-01:10, 01:10-01:50,
 * 03:20-03:50, 03:50-04:30 = 30 + 40 + 30 + 40 = 140 of 270 minutes.
 */
export const HAND_PATH: readonly (readonly [number, string, string])[] = [
  [0, "1000", "0"],
  [40, "1100", "200"],
  [70, "1045", "200"],
  [110, "990", "0"],
  [200, "1100", "100"],
  [230, "1089", "100"],
  [270, "1197.9", "0"],
];
