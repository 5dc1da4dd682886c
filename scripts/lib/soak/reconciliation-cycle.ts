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
//
// A phase waits for runs that began after it queued its jobs, not for any run that ended since: the schedules keep
// running (SCHEDULE_TIME_SCALE makes the hourly verification fire every minute), and a scheduled verification that
// read its sample during the repair phase and ended just after the verification phase began once passed for the
// cycle's, its mismatches what the repair was about to fix (3 in the small soak's soak-02, its webhooks dropped,
// while the drift after the cycle was 0). Likewise a product sync counts only if its export started after the cycle
// queued it: a sync that adopted an export begun earlier (startOrAdoptProductExport) read Shopify before the cycle,
// so the shop's product sync is queued again.

export interface CycleRun {
  task: string;
  shop: string;
  /** The sync_event status of the run the cycle waited for (SUCCESS, PARTIAL, FAILURE), or "timeout". */
  status: string;
  finishedAt: number;
  /** A verification run's mismatches (its sync_event's metadata.mismatched), and by field (metadata.byField). */
  mismatched?: number;
  mismatchedByField?: Record<string, number>;
  /** Its differences set aside as changes in flight (metadata.inFlight): after the cycle, as wrong as a mismatch. */
  inFlight?: number;
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
  in_flight?: number | null;
  /** false: the run ended after $1 but read Shopify before it (an adopted export): queue the task again. */
  fresh?: boolean;
  operation?: string | null;
};

// A sync_event's run began at or after $1: it ended processing_time_ms before it was recorded.
const BEGAN_SINCE = `created_at - coalesce(processing_time_ms, 0) * interval '1 millisecond' >= $1`;

// Each row: `shop, status, created_at, mismatched` of the sync_event that ends a run begun after $1 for a shop of $2.
const REPAIR_TASKS: CycleTask[] = [
  {
    task: TASK.inventoryReconcile,
    finished: `SELECT shop, status::text, created_at, NULL::int AS mismatched FROM sync_event
                WHERE event_type = 'INVENTORY_SYNC' AND ${BEGAN_SINCE} AND shop = ANY($2)
                  AND (metadata->>'mode' = 'reconcile' OR (status <> 'SUCCESS' AND metadata->>'attempt' = metadata->>'maxAttempts'))`,
  },
  {
    task: TASK.productSync,
    // The export's start is ours (bulk_operation.started_at, when Shopify accepted it), recorded before it ran.
    finished: `SELECT e.shop, e.status::text, e.created_at, NULL::int AS mismatched,
                       coalesce(o.started_at >= $1, false) AS fresh, e.metadata->>'operationId' AS operation
                  FROM sync_event e
                  LEFT JOIN bulk_operation o ON o.id::text = e.metadata->>'operationId'
                 WHERE e.event_type = 'PRODUCT_SYNC' AND e.created_at >= $1 AND e.shop = ANY($2)
                   AND e.status IN ('SUCCESS', 'PARTIAL')`,
  },
];

const VERIFY_TASKS: CycleTask[] = [
  {
    task: TASK.verification,
    finished: `SELECT shop, status::text, created_at, (metadata->>'mismatched')::int AS mismatched,
                       metadata->'byField' AS by_field, (metadata->>'inFlight')::int AS in_flight FROM sync_event
                WHERE event_type = 'VERIFICATION' AND ${BEGAN_SINCE} AND shop = ANY($2)
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
  const since = new Date();
  const queue = (task: CycleTask["task"], shop: string) =>
    enqueue(task, { shop, reason: "manual" }, shopJobOptions(task, shop));
  for (const shop of shops) {
    for (const { task } of tasks) await queue(task, shop);
  }
  const runs = new Map<string, CycleRun>();
  const requeuedAfter = new Set<string>();
  while (runs.size < shops.length * tasks.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await onPoll?.();
    for (const { task, finished } of tasks) {
      const { rows } = await pgPool()
        .query<FinishedRow>(finished, [since, shops])
        .catch(() => ({ rows: [] as FinishedRow[] }));
      for (const row of rows) {
        const key = `${task}:${row.shop}`;
        if (row.fresh === false) {
          // Began before the cycle (an adopted export): what it read is older than the cycle, so ask again, once per run.
          const stale = `${key}:${row.operation}`;
          if (!runs.has(key) && !requeuedAfter.has(stale)) {
            requeuedAfter.add(stale);
            await queue(task, row.shop);
          }
          continue;
        }
        if (!runs.has(key))
          runs.set(key, {
            task,
            shop: row.shop,
            status: row.status,
            finishedAt: row.created_at.getTime(),
            ...(row.mismatched === null
              ? {}
              : { mismatched: row.mismatched, mismatchedByField: row.by_field ?? {}, inFlight: row.in_flight ?? 0 }),
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
