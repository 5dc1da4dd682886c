import { TASK, type TaskName } from "./task-names";

// How often a failed job is tried, and how long to wait in between: the original plan's numbers (product sync
// 3 attempts from 60 s, inventory 3 from 30 s, integrity 2 from 60 s), doubling each time. graphile-worker's own
// backoff is fixed (exp(attempts) seconds), so app/jobs/define-task.server.ts applies this policy itself.
// Throttling never reaches this policy: the Admin client waits it out.

export interface RetryPolicy {
  maxAttempts: number;
  firstDelayMs: number;
}

const SECOND = 1000;

// Tasks not listed use DEFAULT_RETRY_POLICY, or their own retries: alerts-dispatch backs off per channel (app/alerts).
export const RETRY_POLICY: Partial<Record<TaskName, RetryPolicy>> = {
  [TASK.productSync]: { maxAttempts: 3, firstDelayMs: 60 * SECOND },
  [TASK.inventorySync]: { maxAttempts: 3, firstDelayMs: 30 * SECOND },
  [TASK.inventoryReconcile]: { maxAttempts: 3, firstDelayMs: 30 * SECOND },
  [TASK.integrityCheck]: { maxAttempts: 2, firstDelayMs: 60 * SECOND },
  // The daily purge is idempotent (it deletes what is due); a few retries cover a database restart.
  [TASK.purgeUninstalledShops]: { maxAttempts: 3, firstDelayMs: 5 * 60 * SECOND },
  // One inventory level from a webhook: quick retries; the hourly sync reconciles whatever is still missed.
  [TASK.inventoryWebhook]: { maxAttempts: 3, firstDelayMs: 10 * SECOND },
  // Checking on a bulk export: a failed check (Shopify or the database unreachable) is retried quickly; the export
  // itself is retried by queueing product-sync again (app/jobs/tasks/product-sync.server.ts).
  [TASK.productExportCheck]: { maxAttempts: 5, firstDelayMs: 30 * SECOND },
  [TASK.productWebhook]: { maxAttempts: 5, firstDelayMs: 10 * SECOND },
  // A fan-out that fails (database unreachable) is worth a few quick retries: its cron fires only once.
  [TASK.scheduleProductSyncs]: { maxAttempts: 5, firstDelayMs: 10 * SECOND },
  [TASK.scheduleInventorySyncs]: { maxAttempts: 5, firstDelayMs: 10 * SECOND },
  [TASK.scheduleIntegrityChecks]: { maxAttempts: 5, firstDelayMs: 10 * SECOND },
};

/**
 * A store Shopify has locked (HTTP 423: fraud checks, an unpaid plan) answers nothing until a person unlocks it,
 * which takes hours or days. Its job waits this long before trying again, without spending an attempt, and raises
 * a WARNING (once per incident), not the CRITICAL of a broken sync; the next fan-out's job takes its place.
 */
export const LOCKED_STORE_RETRY_DELAY_MS = 4 * 60 * 60 * SECOND;

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, firstDelayMs: 30 * SECOND };

export function retryPolicyFor(task: string): RetryPolicy {
  return RETRY_POLICY[task as TaskName] ?? DEFAULT_RETRY_POLICY;
}

/** The wait before attempt `failedAttempt + 1`: first delay, then doubling. */
export function retryDelayMs(policy: RetryPolicy, failedAttempt: number): number {
  return policy.firstDelayMs * 2 ** (failedAttempt - 1);
}
