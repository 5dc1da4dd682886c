import { prisma } from "~/db.server";
import { env } from "~/env.server";
import { runningWorker } from "~/jobs/worker.server";

export interface HealthReport {
  ok: boolean;
  database: "up" | "down";
  worker: "running" | "stopped" | "external";
}

/** The database answers, and the in-process worker (when this process runs one) is running. */
export async function checkHealth(): Promise<HealthReport> {
  const database = await prisma.$queryRaw`SELECT 1`.then(
    () => "up" as const,
    () => "down" as const,
  );
  const worker = !env().WORKER_IN_PROCESS ? "external" : runningWorker() ? "running" : "stopped";
  return { ok: database === "up" && worker !== "stopped", database, worker };
}
