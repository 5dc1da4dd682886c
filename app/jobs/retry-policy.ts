// How often a failed job is tried, and how long to wait in between: the original plan's numbers (product sync
// 3 attempts from 60 s, inventory 3 from 30 s, integrity 2 from 60 s), doubling each time. graphile-worker's own
// backoff is fixed (exp(attempts) seconds), so app/worker/define-task.server.ts applies
// each task's policy itself.
// Throttling never reaches this policy: the Admin client waits it out.

export interface RetryPolicy {
  maxAttempts: number;
  firstDelayMs: number;
}

const SECOND = 1000;

// Each task's policy is part of its definition (`retry` in defineTask, app/worker/tasks/*); these are the shared ones.
// alerts-dispatch backs off per channel on its own (app/alerts) and uses its policy only for errors it throws.
/** A cron fan-out that fails (database unreachable) is worth a few quick retries: its cron fires only once. */
export const FAN_OUT_RETRY_POLICY: RetryPolicy = { maxAttempts: 5, firstDelayMs: 10 * SECOND };

/** Maintenance crons (sweeps, watches, prunes) are not retried: their next firing does the same work. */
export const NO_RETRY_POLICY: RetryPolicy = { maxAttempts: 1, firstDelayMs: 0 };

/**
 * A store Shopify has locked (HTTP 423: fraud checks, an unpaid plan) answers nothing until a person unlocks it,
 * which takes hours or days. Its job waits this long before trying again, without spending an attempt, and raises
 * a WARNING (once per incident), not the CRITICAL of a broken sync; the next fan-out's job takes its place.
 */
export const LOCKED_STORE_RETRY_DELAY_MS = 4 * 60 * 60 * SECOND;

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, firstDelayMs: 30 * SECOND };

/** The wait before attempt `failedAttempt + 1`: first delay, then doubling. */
export function retryDelayMs(policy: RetryPolicy, failedAttempt: number): number {
  return policy.firstDelayMs * 2 ** (failedAttempt - 1);
}

/**
 * How long graphile-worker's connections wait between tries while the database refuses them (it is down or
 * restarting): the worker's job ends and fetches wait for it instead of failing (app/jobs/wait-for-database.server.ts).
 */
export const DATABASE_RECONNECT_DELAY_MS = 1_000;

/**
 * How long a process that starts while its database is unreachable (a deploy during a failover, a database
 * container still starting) waits for it before giving up. Without the wait it exited at once on ECONNREFUSED, and a
 * supervisor restarted it in a loop; with it, it starts as soon as the database answers (scripts/lib/lifecycle.ts).
 */
export const DATABASE_STARTUP_WAIT_MS = 5 * 60 * SECOND;

/**
 * How long a bulk operation's check waits before its `poll`-th look at Shopify (the product export, the full
 * inventory read): 15 s, then half as long again each time, at most 5 minutes. The bulk_operations/finish webhook
 * usually comes first; the polls are for a webhook that never does.
 */
export function bulkOperationPollDelayMs(poll: number): number {
  return Math.min(15 * SECOND * 1.5 ** poll, 5 * 60 * SECOND);
}
