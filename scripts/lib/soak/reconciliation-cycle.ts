import { pgPool } from "../../../app/db.server";
import { enqueue } from "../../../app/jobs/queue.server";
import { shopJobOptions } from "../../../app/jobs/shop-jobs";
import { TASK } from "../../../app/jobs/task-names";

// One reconciliation cycle: what the product runs to put right whatever the webhooks and the hourly syncs missed,
// queued now for every shop instead of at its compressed time: the inventory reconciliation (a full read of every
// level at the marketplace's locations) and the product sync (a bulk export of the catalog, products gone from
// Shopify soft-deleted). Both as the fan-outs queue them (the same task, payload and job key), run by the worker
// processes. The in-product verification (issue 18) joins this list when it lands: one more task per shop here.

export interface CycleRun {
  task: string;
  shop: string;
  /** The sync_event status of the run the cycle waited for (SUCCESS, PARTIAL, FAILURE), or "timeout". */
  status: string;
  finishedAt: number;
}

export interface CycleResult {
  startedAt: number;
  finishedAt: number;
  runs: CycleRun[];
}

/** Each task of the cycle: how it is queued and which sync_event row says that its run after `since` has ended. */
const CYCLE_TASKS = [
  {
    task: TASK.inventoryReconcile,
    finished: `SELECT shop, status::text, created_at FROM sync_event
                WHERE event_type = 'INVENTORY_SYNC' AND created_at >= $1 AND shop = ANY($2)
                  AND (metadata->>'mode' = 'reconcile' OR (status <> 'SUCCESS' AND metadata->>'attempt' = metadata->>'maxAttempts'))`,
  },
  {
    task: TASK.productSync,
    finished: `SELECT shop, status::text, created_at FROM sync_event
                WHERE event_type = 'PRODUCT_SYNC' AND created_at >= $1 AND shop = ANY($2) AND status IN ('SUCCESS', 'PARTIAL')`,
  },
] as const;

export async function runReconciliationCycle(shops: string[], options: { timeoutMs: number; onPoll?: () => Promise<void> }): Promise<CycleResult> {
  const startedAt = Date.now();
  const since = new Date(startedAt - 1_000);
  for (const shop of shops) {
    for (const { task } of CYCLE_TASKS) await enqueue(task, { shop, reason: "manual" }, shopJobOptions(task, shop));
  }
  const runs = new Map<string, CycleRun>();
  const deadline = startedAt + options.timeoutMs;
  while (runs.size < shops.length * CYCLE_TASKS.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await options.onPoll?.();
    for (const { task, finished } of CYCLE_TASKS) {
      const { rows } = await pgPool()
        .query<{ shop: string; status: string; created_at: Date }>(finished, [since, shops])
        .catch(() => ({ rows: [] as { shop: string; status: string; created_at: Date }[] }));
      for (const row of rows) {
        const key = `${task}:${row.shop}`;
        if (!runs.has(key)) runs.set(key, { task, shop: row.shop, status: row.status, finishedAt: row.created_at.getTime() });
      }
    }
  }
  for (const shop of shops) {
    for (const { task } of CYCLE_TASKS) {
      if (!runs.has(`${task}:${shop}`)) runs.set(`${task}:${shop}`, { task, shop, status: "timeout", finishedAt: Date.now() });
    }
  }
  return { startedAt, finishedAt: Date.now(), runs: [...runs.values()] };
}
