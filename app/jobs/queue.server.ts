import { makeWorkerUtils, type WorkerUtils } from "graphile-worker";
import { pgPool } from "~/db.server";
import { shopJobKey, type ShopJobPayload } from "./shop-jobs";
import type { ShopSyncTask } from "./task-names";

// Enqueueing from anywhere in the app (routes, webhooks, other jobs' follow-ups), sharing the app's pg pool.

const GLOBAL_KEY = Symbol.for("marketplace-sync.worker-utils");
type GlobalWithUtils = typeof globalThis & { [GLOBAL_KEY]?: Promise<WorkerUtils> };

export function workerUtils(): Promise<WorkerUtils> {
  const g = globalThis as GlobalWithUtils;
  g[GLOBAL_KEY] ??= makeWorkerUtils({ pgPool: pgPool() });
  return g[GLOBAL_KEY];
}

export async function releaseWorkerUtils(): Promise<void> {
  const g = globalThis as GlobalWithUtils;
  const utils = g[GLOBAL_KEY];
  g[GLOBAL_KEY] = undefined;
  if (utils) await (await utils).release();
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
