import { pgPool } from "../../../app/db.server";
import { enqueue } from "../../../app/jobs/queue.server";
import { shopJobOptions } from "../../../app/jobs/shop-jobs";
import { TASK } from "../../../app/jobs/task-names";

// One reconciliation cycle: what the product runs to put right whatever the webhooks and the hourly syncs missed,
// queued now for every shop instead of at its compressed time: the inventory reconciliation (a full read of every
// level at the marketplace's locations) and the product sync (a bulk export of the catalog, products gone from
// Shopify soft-deleted). Both as the fan-outs queue them (the same task, payload and job key), run by the worker
// processes. Then, once both have ended, the in-product verification (app/verification) of every shop: it reads a
// sample back from Shopify after the repair, so its mismatches are what the cycle left wrong as the product sees it.

export interface CycleRun {
  task: string;
  shop: string;
  /** The sync_event status of the run the cycle waited for (SUCCESS, PARTIAL, FAILURE), or "timeout". */
  status: string;
  finishedAt: number;
  /** A verification run's mismatches (its sync_event's metadata.mismatched), and by field (metadata.byField). */
  mismatched?: number;
  mismatchedByField?: Record<string, number>;
}

export interface CycleResult {
  startedAt: number;
  finishedAt: number;
  runs: CycleRun[];
}

type CycleTask = {
  task: typeof TASK.inventoryReconcile | typeof TASK.productSync | typeof TASK.verification;
  finished: string;
};

type FinishedRow = {
  shop: string;
  status: string;
  created_at: Date;
  mismatched: number | null;
  by_field?: Record<string, number> | null;
};

// Each row: `shop, status, created_at, mismatched` of the sync_event that ends a run after $1 for a shop of $2.
const REPAIR_TASKS: CycleTask[] = [
  {
    task: TASK.inventoryReconcile,
    finished: `SELECT shop, status::text, created_at, NULL::int AS mismatched FROM sync_event
                WHERE event_type = 'INVENTORY_SYNC' AND created_at >= $1 AND shop = ANY($2)
                  AND (metadata->>'mode' = 'reconcile' OR (status <> 'SUCCESS' AND metadata->>'attempt' = metadata->>'maxAttempts'))`,
  },
  {
    task: TASK.productSync,
    finished: `SELECT shop, status::text, created_at, NULL::int AS mismatched FROM sync_event
                WHERE event_type = 'PRODUCT_SYNC' AND created_at >= $1 AND shop = ANY($2) AND status IN ('SUCCESS', 'PARTIAL')`,
  },
];

const VERIFY_TASKS: CycleTask[] = [
  {
    task: TASK.verification,
    finished: `SELECT shop, status::text, created_at, (metadata->>'mismatched')::int AS mismatched,
                       metadata->'byField' AS by_field FROM sync_event
                WHERE event_type = 'VERIFICATION' AND created_at >= $1 AND shop = ANY($2)
                  AND (status = 'SUCCESS' OR metadata->>'attempt' = metadata->>'maxAttempts')`,
  },
];

export async function runReconciliationCycle(
  shops: string[],
  options: { timeoutMs: number; onPoll?: () => Promise<void> },
): Promise<CycleResult> {
  const startedAt = Date.now();
  const deadline = startedAt + options.timeoutMs;
  const runs = [
    ...(await runPhase(REPAIR_TASKS, shops, deadline, options.onPoll)),
    ...(await runPhase(VERIFY_TASKS, shops, deadline, options.onPoll)),
  ];
  return { startedAt, finishedAt: Date.now(), runs };
}

/** Queues `tasks` for every shop and waits until each run has ended (or the deadline passed: "timeout"). */
async function runPhase(
  tasks: CycleTask[],
  shops: string[],
  deadline: number,
  onPoll?: () => Promise<void>,
): Promise<CycleRun[]> {
  const since = new Date(Date.now() - 1_000);
  for (const shop of shops) {
    for (const { task } of tasks) await enqueue(task, { shop, reason: "manual" }, shopJobOptions(task, shop));
  }
  const runs = new Map<string, CycleRun>();
  while (runs.size < shops.length * tasks.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await onPoll?.();
    for (const { task, finished } of tasks) {
      const { rows } = await pgPool()
        .query<FinishedRow>(finished, [since, shops])
        .catch(() => ({ rows: [] as FinishedRow[] }));
      for (const row of rows) {
        const key = `${task}:${row.shop}`;
        if (!runs.has(key))
          runs.set(key, {
            task,
            shop: row.shop,
            status: row.status,
            finishedAt: row.created_at.getTime(),
            ...(row.mismatched === null ? {} : { mismatched: row.mismatched, mismatchedByField: row.by_field ?? {} }),
          });
      }
    }
  }
  for (const shop of shops) {
    for (const { task } of tasks) {
      if (!runs.has(`${task}:${shop}`))
        runs.set(`${task}:${shop}`, { task, shop, status: "timeout", finishedAt: Date.now() });
    }
  }
  return [...runs.values()];
}
