import { pgPool } from "~/db.server";
import type { Queryable } from "~/lib/queryable.server";
import { enqueue } from "~/jobs/queue.server";
import { shopJobKey, shopJobOptions } from "~/jobs/shop-jobs";
import { SHOP_SYNC_TASKS, TASK } from "~/jobs/task-names";

// What a change of a merchant's standing does to their queued jobs. The fan-outs decide who is scheduled next
// time; these two handle what is already queued, so that a suspension, a pause or an uninstall takes effect now
// rather than after the jobs already in the queue have run.

/**
 * Removes the shop's pending per-shop jobs (product sync, inventory sync, integrity check, and their queued
 * retries, which share the job key) with graphile-worker's documented `remove_job`. A job already running is not
 * interrupted (remove_job only stops it from being retried); the per-shop tasks meet a revoked token as a
 * permanent failure anyway.
 */
export async function cancelPendingShopJobs(shop: string, db: Queryable = pgPool()): Promise<void> {
  const keys = SHOP_SYNC_TASKS.map((task) => shopJobKey(task, shop));
  await db.query("SELECT graphile_worker.remove_job(key) FROM unnest($1::text[]) AS key", [keys]);
}

/** Queues a product sync of the shop now (replacing a pending one): its first import, or newly selected products. */
export async function requestProductSync(shop: string): Promise<void> {
  await enqueue(TASK.productSync, { shop, reason: "manual" }, shopJobOptions(TASK.productSync, shop));
}
