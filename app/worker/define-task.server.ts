import type { JobHelpers, Task } from "graphile-worker";
import { type z } from "zod";
import { notifyAdmins } from "~/alerts/notify-admins.server";
import { pgPool } from "~/db.server";
import { ShopifyStoreLockedError } from "~/shopify-admin/errors";
import { requeueFrom } from "~/jobs/queue.server";
import { DEFAULT_RETRY_POLICY, LOCKED_STORE_RETRY_DELAY_MS, retryDelayMs, type RetryPolicy } from "~/jobs/retry-policy";
import type { TaskName } from "~/jobs/task-names";
import { retryMeta, type RetryMeta, type TaskSchedule } from "~/jobs/task-payloads";

// Every task goes through defineTask: its one definition (name, payload schema, retry policy, optional schedule), from
// which app/worker/task-list.server.ts derives the worker's task list and app/worker/schedules.server.ts the crontab. It gives
// the task what graphile-worker does not:
// 1. A validated payload. Old jobs and jobs inserted by SQL can have any shape; a malformed payload fails the job
//    at once and for good (PermanentJobError), instead of being retried.
// 2. Its retry policy (`retry`, else DEFAULT_RETRY_POLICY of app/jobs/retry-policy.ts). Jobs are queued with
//    max_attempts = 1 (QUEUED_MAX_ATTEMPTS, set by enqueue), and a failed attempt that
//    has attempts left queues its successor (same job key, so a fan-out never doubles it) at the policy's delay,
//    carrying the attempt number and last error in `_retry`. The last attempt's failure is left to graphile-worker,
//    so the job stays in its table as failed (what the jobs page lists), and `onGaveUp` runs once.
//    This is the shape graphile-worker's maintainers recommend for custom backoff (graphile/worker#403).
// 3. Optionally, one run at a time per key (`exclusiveKey`, e.g. per shop and kind). A job key keeps one job
//    *pending* per shop, but a job queued while its predecessor runs would run beside it; under an advisory lock
//    the latecomer steps back and is queued again shortly, without spending an attempt.

/** An error that retrying cannot fix (a malformed payload, a revoked token): the job fails at once. */
export class PermanentJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "PermanentJobError";
  }
}

export interface JobContext {
  attempt: number;
  maxAttempts: number;
  isFinalAttempt: boolean;
  helpers: JobHelpers;
}

export interface TaskDefinition<Schema extends z.ZodTypeAny, Name extends TaskName = TaskName> {
  name: Name;
  payload: Schema;
  /** How often a failed job is tried and how long it waits in between (default: DEFAULT_RETRY_POLICY). */
  retry?: RetryPolicy;
  /** When the crontab queues it, if it does. */
  schedule?: TaskSchedule;
  run(payload: z.infer<Schema>, context: JobContext): Promise<void>;
  /** After the last attempt failed (or a permanent failure): where one notification per incident is raised. */
  onGaveUp?(payload: z.infer<Schema>, error: unknown, context: JobContext): Promise<void>;
  /** The named queue the task's jobs run in (serially): its retries are queued there too. */
  queueName?(payload: z.infer<Schema>): string;
  /** Jobs with the same key never run at the same time (see 3. above). */
  exclusiveKey?(payload: z.infer<Schema>): string;
  /** For tests: the clock that dates the next attempt. */
  now?: () => number;
}

/** How long a job that found its key busy waits before it tries again. */
export const BUSY_RETRY_DELAY_MS = 30_000;

function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "payload"}: ${i.message}`).join("; ");
}

/** A task as graphile-worker runs it, carrying what it was defined with (for the task list, crontab and jobs page). */
export type DefinedTask<Schema extends z.ZodTypeAny = z.ZodTypeAny, Name extends TaskName = TaskName> = Task & {
  definition: { name: Name; payload: Schema; retry: RetryPolicy; schedule?: TaskSchedule };
};

export function defineTask<Schema extends z.ZodTypeAny, Name extends TaskName>(
  definition: TaskDefinition<Schema, Name>,
): DefinedTask<Schema, Name> {
  const policy = definition.retry ?? DEFAULT_RETRY_POLICY;
  const now = definition.now ?? Date.now;

  const task: Task = async (rawPayload, helpers) => {
    const { _retry, ...fields } = (rawPayload ?? {}) as Record<string, unknown>;
    const meta = retryMeta.safeParse(_retry ?? { attempt: 1 });
    const parsed = definition.payload.safeParse(fields);
    if (!meta.success || !parsed.success) {
      const problems = [meta.error, parsed.error].filter((e): e is z.ZodError => !!e).map(describeIssues);
      throw new PermanentJobError(`Invalid payload for task ${definition.name}: ${problems.join("; ")}`);
    }
    const attempt = meta.data.attempt;
    const context: JobContext = {
      attempt,
      maxAttempts: policy.maxAttempts,
      isFinalAttempt: attempt >= policy.maxAttempts,
      helpers,
    };

    const lock = definition.exclusiveKey ? await tryExclusiveLock(definition.exclusiveKey(parsed.data)) : undefined;
    if (lock && !lock.acquired) {
      await requeueFrom(helpers, definition.name, rawPayload as Record<string, unknown>, {
        runAt: new Date(now() + BUSY_RETRY_DELAY_MS),
        queueName: definition.queueName?.(parsed.data), // a job of a named queue (per-shop export) stays in it
        jobKey: helpers.job.key ?? undefined,
        jobKeyMode: "preserve_run_at",
      });
      helpers.logger.info(
        `${definition.name}: another run holds ${lock.key}; trying again in ${BUSY_RETRY_DELAY_MS / 1000} s`,
      );
      return;
    }

    try {
      await definition.run(parsed.data, context);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const locked = lockedStoreOf(error);
      if (locked) {
        // Not a failure of ours: wait hours, keep the attempt number, warn once (see retry-policy.ts).
        await requeueFrom(helpers, definition.name, rawPayload as Record<string, unknown>, {
          runAt: new Date(now() + LOCKED_STORE_RETRY_DELAY_MS),
          queueName: definition.queueName?.(parsed.data),
          jobKey: helpers.job.key ?? undefined,
          jobKeyMode: "replace",
        });
        await notifyAdmins({
          type: "STORE_LOCKED",
          severity: "WARNING",
          shop: locked.shop,
          jobType: definition.name,
          title: `Shopify has locked the store ${locked.shop} (423); ${definition.name} waits and tries again in ${LOCKED_STORE_RETRY_DELAY_MS / 3_600_000} hours`,
          data: { error: message, retryInMs: LOCKED_STORE_RETRY_DELAY_MS },
        }).catch((alertError: Error) =>
          helpers.logger.error(`could not raise the locked-store warning: ${alertError.message}`),
        );
        helpers.logger.warn(
          `${definition.name}: ${message}; trying again in ${LOCKED_STORE_RETRY_DELAY_MS / 3_600_000} h`,
        );
        return;
      }
      if (error instanceof PermanentJobError || context.isFinalAttempt) {
        try {
          await definition.onGaveUp?.(parsed.data, error, context);
        } catch (hookError) {
          helpers.logger.error(`onGaveUp of ${definition.name} failed: ${(hookError as Error).message}`);
        }
        throw error;
      }
      const delay = retryDelayMs(policy, attempt);
      await requeueFrom(
        helpers,
        definition.name,
        { ...fields, _retry: { attempt: attempt + 1, lastError: message } satisfies RetryMeta },
        {
          runAt: new Date(now() + delay),
          queueName: definition.queueName?.(parsed.data), // a job of a named queue (per-shop export) stays in it
          jobKey: helpers.job.key ?? undefined,
          jobKeyMode: "replace",
        },
      );
      helpers.logger.warn(
        `${definition.name} attempt ${attempt} of ${policy.maxAttempts} failed (${message}); next attempt in ${Math.round(delay / 1000)} s`,
      );
    } finally {
      await lock?.release();
    }
  };
  return Object.assign(task, {
    definition: { name: definition.name, payload: definition.payload, retry: policy, schedule: definition.schedule },
  });
}

function lockedStoreOf(error: unknown): ShopifyStoreLockedError | undefined {
  if (error instanceof ShopifyStoreLockedError) return error;
  const cause = (error as { cause?: unknown } | null)?.cause;
  return cause instanceof ShopifyStoreLockedError ? cause : undefined;
}

/**
 * A session-level advisory lock on a connection of its own, held for the whole run (which may span many
 * transactions). If the process dies, PostgreSQL releases it with the session.
 */
async function tryExclusiveLock(key: string) {
  const client = await pgPool().connect();
  const { rows } = await client.query<{ acquired: boolean }>(
    "SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS acquired",
    [`marketplace-sync.job:${key}`],
  );
  const acquired = rows[0].acquired;
  if (!acquired) client.release();
  return {
    key,
    acquired,
    async release() {
      if (!acquired) return;
      await client
        .query("SELECT pg_advisory_unlock(hashtextextended($1, 0))", [`marketplace-sync.job:${key}`])
        .catch(() => undefined);
      client.release();
    },
  };
}
