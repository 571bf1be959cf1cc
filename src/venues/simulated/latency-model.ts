/**
 * Latency model: a constant delay from submit to live on the book, and from
 * cancel to off the book. An order cannot fill before submit + order latency
 * and can still fill until cancel + cancel latency (exclusive). Errs against
 * the strategy only as much as the constants are right: real latency varies;
 * set them to what you measure (p90 is a prudent choice).
 */

export interface LatencyModel {
  /** Submit (ms) -> the time the order is live on the book. */
  liveAt(submitTs: number): number;
  /** Cancel request (ms) -> the time the order is off the book. */
  canceledAt(cancelTs: number): number;
}

export class ConstantLatency implements LatencyModel {
  constructor(
    private readonly orderMs: number,
    private readonly cancelMs: number,
  ) {}

  liveAt(submitTs: number): number {
    return submitTs + this.orderMs;
  }

  canceledAt(cancelTs: number): number {
    return cancelTs + this.cancelMs;
  }
}
