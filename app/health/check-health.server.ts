import { prisma } from "~/db.server";
import { env } from "~/env.server";
import { runningWorker } from "~/jobs/worker.server";

export interface HealthReport {
  ok: boolean;
  database: "up" | "down";
  worker: "running" | "stopped" | "external";
}

/**
 * The database answers, and the worker (when this process runs one) is running. `runsWorker` defaults to
 * WORKER_IN_PROCESS (the web process); `npm run worker` runs one whatever that says.
 */
export async function checkHealth(options: { runsWorker?: boolean } = {}): Promise<HealthReport> {
  const database = await prisma.$queryRaw`SELECT 1`.then(
    () => "up" as const,
    () => "down" as const,
  );
  const runsWorker = options.runsWorker ?? env().WORKER_IN_PROCESS;
  const worker = !runsWorker ? "external" : runningWorker() ? "running" : "stopped";
  return { ok: database === "up" && worker !== "stopped", database, worker };
}
