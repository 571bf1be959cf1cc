/**
 * A sweep across machines through BullMQ on Redis. The submitter adds each
 * trial as a job whose id is the trial's id (trial-id.ts), so a resubmitted
 * or restarted sweep finds the trials already done and reuses their results;
 * jobs stay in Redis after completion for that reason. Workers (`grinder
 * worker`) take jobs one at a time; a worker killed mid-trial stops renewing
 * the job's lock, and another worker's stalled check puts the job back in
 * the queue (after the lock duration), so nothing is lost.
 *
 * The submitter learns of finished jobs by polling their states (a restart
 * needs no event history); failed jobs are retried `attempts` times with a
 * backoff, then reported with their reason.
 */

import { setTimeout as sleep } from "node:timers/promises";
import { Job, Queue, type RedisOptions } from "bullmq";
import { Redis } from "ioredis";
import { ConfigError, errorMessage, InvalidInputError } from "../../core/errors.js";
import type { ExecutorProgress, TrialExecutor } from "./local-executor.js";
import type { TrialResult, TrialTask } from "./trial.js";

export const DEFAULT_QUEUE_NAME = "grinder-sweep";
/** Tries of a trial before it is reported failed. */
export const TRIAL_ATTEMPTS = 3;

export interface QueueTarget {
  readonly connection: RedisOptions;
  /** The URL with any password replaced, for messages. */
  readonly shown: string;
  readonly name: string;
}

/** `--queue redis://HOST:PORT[/DB]` (rediss:// for TLS; credentials in the URL are used, never shown). */
export function parseQueueUrl(text: string, name = DEFAULT_QUEUE_NAME): QueueTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`--queue: expected a redis://HOST:PORT URL, got ${JSON.stringify(text)}`);
  }
  if ((url.protocol !== "redis:" && url.protocol !== "rediss:") || url.hostname === "") {
    throw new ConfigError(`--queue: expected a redis://HOST:PORT URL, got ${JSON.stringify(text)}`);
  }
  const db = url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0;
  if (!Number.isSafeInteger(db) || db < 0) {
    throw new ConfigError(
      `--queue: the database number must be an integer >= 0 in ${url.pathname}`,
    );
  }
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(name)) {
    throw new ConfigError(
      `--queue-name: letters, digits and . _ - only, got ${JSON.stringify(name)}`,
    );
  }
  const shown = new URL(url.toString());
  if (shown.password !== "") shown.password = "***";
  return {
    connection: {
      host: url.hostname,
      port: url.port === "" ? 6379 : Number(url.port),
      db,
      ...(url.username !== "" ? { username: decodeURIComponent(url.username) } : {}),
      ...(url.password !== "" ? { password: decodeURIComponent(url.password) } : {}),
      ...(url.protocol === "rediss:" ? { tls: {} } : {}),
      maxRetriesPerRequest: null,
    },
    shown: shown.toString(),
    name,
  };
}

/**
 * Connect once and PING, or fail within `timeoutMs` naming the Redis (its
 * URL without password) and why: BullMQ itself would retry forever, silently.
 */
export async function checkQueueReachable(target: QueueTarget, timeoutMs = 5000): Promise<void> {
  const { maxRetriesPerRequest: _, ...connection } = target.connection;
  const redis = new Redis({
    ...connection,
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  // The socket's error (ECONNREFUSED, ...) says more than the rejection ("Connection is closed").
  let cause: Error | undefined;
  redis.on("error", (e: Error) => {
    cause ??= e;
  });
  try {
    await redis.connect();
    await redis.ping();
  } catch (e) {
    const why = cause?.message ?? errorMessage(e);
    throw new InvalidInputError(`cannot reach the queue's Redis at ${target.shown}: ${why}`);
  } finally {
    redis.disconnect();
  }
}

export interface QueueExecutorOptions {
  /** Between two looks at the jobs' states; default 500 ms. */
  readonly pollMs?: number;
}

export class QueueExecutor implements TrialExecutor {
  private readonly queue: Queue;
  private readonly pollMs: number;
  /** Trials found already done when submitted (reused). */
  reused = 0;

  constructor(target: QueueTarget, o: QueueExecutorOptions = {}) {
    this.queue = new Queue(target.name, { connection: target.connection });
    this.pollMs = o.pollMs ?? 500;
  }

  async run(
    tasks: readonly TrialTask[],
    onProgress?: (p: ExecutorProgress) => void,
  ): Promise<TrialResult[]> {
    const unique = new Map<string, TrialTask>();
    for (const t of tasks) unique.set(t.id, t);
    await this.queue.addBulk(
      [...unique.values()].map((t) => ({
        name: "trial",
        data: t,
        opts: {
          jobId: t.id,
          attempts: TRIAL_ATTEMPTS,
          backoff: { type: "exponential", delay: 1000 },
        },
      })),
    );
    const results = new Map<string, TrialResult>();
    const failed = new Map<string, string>();
    const pending = new Set(unique.keys());
    let first = true;
    while (pending.size > 0) {
      for (const id of [...pending]) {
        const job = await Job.fromId<TrialTask, TrialResult>(this.queue, id);
        if (job === undefined)
          throw new InvalidInputError(`trial ${id}: its job vanished from the queue`);
        if (job.finishedOn !== undefined && job.returnvalue != null) {
          results.set(id, job.returnvalue);
          pending.delete(id);
          if (first) this.reused++;
        } else if (job.finishedOn !== undefined && job.failedReason) {
          if (first && job.attemptsMade >= TRIAL_ATTEMPTS) {
            // Failed in an earlier submission: try again.
            await job.retry("failed");
            continue;
          }
          if (job.attemptsMade >= TRIAL_ATTEMPTS) {
            failed.set(id, job.failedReason);
            pending.delete(id);
          }
        }
      }
      first = false;
      onProgress?.({ trialsDone: results.size + failed.size, trialsTotal: unique.size, events: 0 });
      if (pending.size > 0) await sleep(this.pollMs);
    }
    if (failed.size > 0) {
      const list = [...failed].map(([id, why]) => `  ${id}: ${why}`);
      throw new InvalidInputError(
        `${failed.size} trial(s) failed after ${TRIAL_ATTEMPTS} tries:\n${list.join("\n")}`,
      );
    }
    // Results keep the task's own place (index, window) even when a job was shared.
    return tasks.map((t) => ({ ...(results.get(t.id) as TrialResult), index: t.index }));
  }

  async close(): Promise<void> {
    await this.queue.close();
  }
}
