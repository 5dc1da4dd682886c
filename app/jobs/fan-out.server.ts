import type { AddJobsFunction } from "graphile-worker";
import { prisma } from "~/db.server";
import { shopJobKey, stableOffsetMs, type ShopJobPayload } from "./shop-jobs";
import type { ShopSyncTask } from "./task-names";

export interface FanOutOptions {
  task: ShopSyncTask;
  /** When the cron fired (for a backfilled run, when it should have fired). */
  firedAt: Date;
  windowMs: number;
  addJobs: AddJobsFunction;
}

/**
 * Queues one job of `task` for every shop that should be synced: active (installed, token valid), approved by
 * the marketplace, and not paused. One batched insert; a shop that already has a pending job of this kind keeps
 * it (and its time) rather than getting a second one.
 */
export async function fanOutShopJobs({ task, firedAt, windowMs, addJobs }: FanOutOptions) {
  const connections = await prisma.merchantConnection.findMany({
    where: { active: true, approvalStatus: "APPROVED", syncPaused: false },
    select: { shop: true },
    orderBy: { shop: "asc" },
  });
  if (connections.length === 0) return { scheduled: 0 };

  const specs = connections.map(({ shop }) => ({
    identifier: task,
    payload: { shop, reason: "schedule" } satisfies ShopJobPayload,
    runAt: new Date(firedAt.getTime() + stableOffsetMs(task, shop, windowMs)),
    maxAttempts: 1, // retries follow app/jobs/retry-policy.ts, applied by defineTask
    jobKey: shopJobKey(task, shop),
  }));
  await addJobs(specs, true);
  return { scheduled: specs.length };
}
