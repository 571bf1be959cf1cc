import { once } from "node:events";
import { intFlag, parseCommandArgs, requiredString, stringFlag } from "../../argv/args.js";
import { checkQueueReachable, parseQueueUrl } from "../../runtime/sweep/sweep-queue.js";
import { startSweepWorker } from "../../runtime/sweep/sweep-worker.js";
import type { CliCommand } from "../io.js";

export const workerCommand: CliCommand = {
  name: "worker",
  summary: "Run sweep trials from a BullMQ queue on Redis (grinder sweep --queue)",
  usage:
    "grinder worker --queue redis://HOST:PORT [--queue-name NAME] [--lock-ms N]\n\n" +
    "  --queue URL         the Redis of the sweep (as given to grinder sweep --queue)\n" +
    "  --queue-name NAME   the BullMQ queue (default grinder-sweep)\n" +
    "  --lock-ms N         job lock in ms (default 30000): a trial of a worker that died\n" +
    "                      returns to the queue after it\n" +
    "Reads the data at the paths the sweep names: every worker must see the same files\n" +
    "there (a worker whose files or build differ fails the trial, saying so).\n" +
    "Stops on SIGINT or SIGTERM after the trial it is running.",
  async run(argv, io) {
    const args = parseCommandArgs("worker", argv, {
      queue: { type: "string" },
      "queue-name": { type: "string" },
      "lock-ms": { type: "string" },
    });
    const target = parseQueueUrl(
      requiredString(args, "worker", "queue"),
      stringFlag(args, "queue-name"),
    );
    const lockMs = intFlag(args, "worker", "lock-ms", 30_000);
    if (lockMs < 1000) throw new Error("grinder worker: --lock-ms must be >= 1000");
    await checkQueueReachable(target);
    const worker = startSweepWorker(target, {
      lockMs,
      onTrial: (event, task, detail) =>
        io.stdout(`trial ${task.id} ${event}${detail === undefined ? "" : `: ${detail}`}`),
    });
    // A lost connection is retried by BullMQ: said once, and again when the reason changes.
    let lastError = "";
    worker.on("error", (e) => {
      if (e.message === lastError) return;
      lastError = e.message;
      io.stderr(`grinder worker: ${e.message}`);
    });
    await worker.waitUntilReady();
    io.stdout(`worker ready: queue ${target.name} at ${target.shown}`);
    const stop = new AbortController();
    const onSignal = (): void => stop.abort();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    try {
      await once(stop.signal, "abort");
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
    io.stdout("worker stopping after its current trial");
    await worker.close();
    return 0;
  },
};
