import { prisma } from "~/db.server";
import { env } from "~/env.server";
import { runningWorker } from "~/worker/worker.server";

export interface HealthReport {
  ok: boolean;
  database: "up" | "down";
  /** "stalled": every job fetch has failed for a while although the database answers (the runner is being replaced). */
  worker: "running" | "stalled" | "stopped" | "external";
  /** The in-process worker's liveness lock (app/worker/worker-liveness.server.ts): "lost" while it reconnects. */
  workerLock?: "held" | "lost";
}

/**
 * The database answers, and the worker (when this process runs one) is running, takes jobs, and holds its liveness lock (without
 * it, another process would take its running jobs for a dead worker's). `runsWorker` defaults to WORKER_IN_PROCESS
 * (the web process); `npm run worker` runs one whatever that says.
 */
export async function checkHealth(options: { runsWorker?: boolean } = {}): Promise<HealthReport> {
  const database = await prisma.$queryRaw`SELECT 1`.then(
    () => "up" as const,
    () => "down" as const,
  );
  const running = runningWorker();
  const runsWorker = options.runsWorker ?? env().WORKER_IN_PROCESS;
  const worker = !runsWorker ? "external" : !running ? "stopped" : running.stalled() ? "stalled" : "running";
  const workerLock = running?.liveness.state();
  return {
    ok: database === "up" && (worker === "running" || worker === "external") && workerLock !== "lost",
    database,
    worker,
    ...(workerLock ? { workerLock } : {}),
  };
}
