import { pgPool, prisma } from "~/db.server";
import { enqueueMany } from "~/jobs/queue.server";
import { shopJobKey, stableOffsetMs } from "~/jobs/shop-jobs";
import type { ShopSyncTask } from "~/jobs/task-names";

export interface FanOutOptions {
  task: ShopSyncTask;
  /** When the cron fired (for a backfilled run, when it should have fired). */
  firedAt: Date;
  windowMs: number;
}

/**
 * Queues one job of `task` for every shop that should be synced: active (installed, token valid), approved by
 * the marketplace, and not paused. One batched insert; a shop that already has a pending job of this kind keeps
 * it (and its time) rather than getting a second one.
 */
export async function fanOutShopJobs({ task, firedAt, windowMs }: FanOutOptions) {
  const connections = await prisma.merchantConnection.findMany({
    where: { active: true, approvalStatus: "APPROVED", syncPaused: false },
    select: { shop: true },
    orderBy: { shop: "asc" },
  });
  // Counted before this firing's jobs are queued: what the previous firing queued and no worker has started yet.
  const stillWaiting = await jobsNotStartedBefore(task, firedAt);
  if (connections.length === 0) return { scheduled: 0, stillWaiting };

  await enqueueMany(
    task,
    connections.map(({ shop }) => ({
      payload: { shop, reason: "schedule" as const },
      runAt: new Date(firedAt.getTime() + stableOffsetMs(task, shop, windowMs)),
      jobKey: shopJobKey(task, shop),
    })),
  );
  return { scheduled: connections.length, stillWaiting };
}

/**
 * Jobs of `task` due before `at` that no worker has started. When a fan-out fires, the previous firing's jobs were
 * all due (the spread window is shorter than the schedule's period); any still waiting mean the fleet outgrew the
 * window or the workers, and the runs are late. Retries (attempts > 0) are not counted: they wait by design.
 */
export async function jobsNotStartedBefore(task: ShopSyncTask, at: Date): Promise<number> {
  const { rows } = await pgPool().query<{ n: number }>(
    `SELECT count(*)::int AS n FROM graphile_worker.jobs
      WHERE task_identifier = $1 AND run_at < $2 AND locked_at IS NULL AND attempts = 0`,
    [task, at],
  );
  return rows[0].n;
}
