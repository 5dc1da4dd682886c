import { makeWorkerUtils, type TaskSpec, type WorkerUtils } from "graphile-worker";
import { pgPool } from "~/db.server";
import type { Queryable } from "~/lib/queryable.server";
import { shopJobKey, type ShopJobPayload } from "./shop-jobs";
import type { ShopSyncTask } from "./task-names";

// Enqueueing from anywhere in the app (routes, webhooks, other jobs' follow-ups), sharing the app's pg pool.

const GLOBAL_KEY = Symbol.for("marketplace-sync.worker-utils");
type GlobalWithUtils = typeof globalThis & { [GLOBAL_KEY]?: Promise<WorkerUtils> };

export function workerUtils(): Promise<WorkerUtils> {
  const g = globalThis as GlobalWithUtils;
  g[GLOBAL_KEY] ??= makeWorkerUtils({ pgPool: pgPool("job") });
  return g[GLOBAL_KEY];
}

export async function releaseWorkerUtils(): Promise<void> {
  const g = globalThis as GlobalWithUtils;
  const utils = g[GLOBAL_KEY];
  g[GLOBAL_KEY] = undefined;
  if (utils) await (await utils).release();
}

/**
 * Queues a job on `db`, typically a transaction's client: graphile-worker's documented SQL function `add_job`
 * (what WorkerUtils.addJob calls on a connection of its own). Queued this way, the job commits or rolls back with
 * whatever else the transaction records, e.g. the receipt of the webhook it comes from.
 */
export async function addJobOn(db: Queryable, task: string, payload: Record<string, unknown>, spec: TaskSpec = {}): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id::text FROM graphile_worker.add_job(
       identifier => $1::text, payload => $2::json, queue_name => $3::text, run_at => $4::timestamptz,
       max_attempts => $5::int, job_key => $6::text, priority => $7::int, flags => $8::text[], job_key_mode => $9::text)`,
    [
      task,
      JSON.stringify(payload),
      spec.queueName ?? null,
      spec.runAt ? new Date(spec.runAt).toISOString() : null,
      spec.maxAttempts ?? null,
      spec.jobKey ?? null,
      spec.priority ?? null,
      spec.flags ?? null,
      spec.jobKeyMode ?? null,
    ],
  );
  return rows[0].id;
}

/** Queues a shop's sync now (or at `runAt`); replaces a pending one of the same kind rather than adding another. */
export async function enqueueShopJob(
  task: ShopSyncTask,
  payload: ShopJobPayload & Record<string, unknown>,
  options: { runAt?: Date } = {},
) {
  const utils = await workerUtils();
  return utils.addJob(task, payload, {
    runAt: options.runAt,
    maxAttempts: 1, // retries follow app/jobs/retry-policy.ts, applied by defineTask
    jobKey: shopJobKey(task, payload.shop),
    jobKeyMode: "replace",
  });
}
