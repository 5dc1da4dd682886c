import { makeWorkerUtils, type JobHelpers, type TaskSpec, type WorkerUtils } from "graphile-worker";
import type { z } from "zod";
import { pgPool } from "~/db.server";
import type { Queryable } from "~/lib/queryable.server";
import { DATABASE_RECONNECT_DELAY_MS } from "./retry-policy";
import type { TaskName } from "./task-names";
import type { RetryMeta, TaskPayloadSchemas } from "./task-payloads";
import { databaseUnreachable } from "./wait-for-database.server";

// The one way to queue a job, from anywhere in the app (routes, webhooks, domains, other jobs' follow-ups), typed by
// the task's definition: `enqueue(TASK.productSync, { shop, reason: "manual" })`. On a transaction's client
// (`{ on: client }`) it is graphile-worker's documented SQL function `add_job`, so the job commits or rolls back with
// whatever else the transaction records; otherwise WorkerUtils on the app's pool.

/**
 * Every job is queued with max_attempts = 1: retries follow the task's own policy (its definition's `retry`), applied
 * by defineTask, which queues the next attempt itself (app/worker/define-task.server.ts).
 */
export const QUEUED_MAX_ATTEMPTS = 1;

/** What a task's payload schema accepts (its input, before defaults), plus the attempt defineTask carries. */
export type TaskPayload<Name extends TaskName> = z.input<TaskPayloadSchemas[Name]> & {
  _retry?: RetryMeta;
};

export interface EnqueueOptions {
  runAt?: Date;
  jobKey?: string;
  jobKeyMode?: TaskSpec["jobKeyMode"];
  queueName?: string;
  /** Queue on this connection (a transaction's client) instead of the pool. */
  on?: Queryable;
}

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

function specOf(options: EnqueueOptions): TaskSpec {
  return {
    runAt: options.runAt,
    jobKey: options.jobKey,
    jobKeyMode: options.jobKeyMode,
    queueName: options.queueName,
    maxAttempts: QUEUED_MAX_ATTEMPTS,
  };
}

/** Queues one job of `task`; returns its id. */
export async function enqueue<Name extends TaskName>(
  task: Name,
  payload: TaskPayload<Name>,
  options: EnqueueOptions = {},
): Promise<string> {
  if (options.on) return addJobOn(options.on, task, payload as Record<string, unknown>, specOf(options));
  const job = await (await workerUtils()).addJob(task as string, payload as Record<string, unknown>, specOf(options));
  return job.id;
}

/**
 * Queues many jobs of `task` in one insert (the fan-outs). A job whose key is already pending keeps its time
 * (`preserveRunAt`), so a fan-out that fires again never moves or doubles a shop's job.
 */
export async function enqueueMany<Name extends TaskName>(
  task: Name,
  jobs: { payload: TaskPayload<Name>; runAt?: Date; jobKey?: string }[],
  /** A job already pending under a job key keeps its time (the fan-outs' rule); false moves it to the new runAt. */
  options: { preserveRunAt?: boolean } = {},
): Promise<void> {
  if (jobs.length === 0) return;
  const utils = await workerUtils();
  await utils.addJobs(
    jobs.map((job) => ({
      identifier: task,
      payload: job.payload as Record<string, unknown>,
      runAt: job.runAt,
      jobKey: job.jobKey,
      maxAttempts: QUEUED_MAX_ATTEMPTS,
    })),
    options.preserveRunAt ?? true,
  );
}

/**
 * defineTask's own requeue of a running job (its next attempt, or a step back while the job's key is busy): on the
 * running job's helpers, the worker's connection, with the same queue rules as enqueue.
 *
 * It must not fail for a lost connection: a requeue that throws fails the job, and every job is queued with one
 * graphile-level attempt, so the job would be failed for good with its retries never queued. While the database
 * is down the worker's pool waits for it (wait-for-database.server.ts); a connection cut mid-statement (a
 * terminated backend, a failover) is tried again here on a new one, until the job is aborted (the worker stops:
 * then the job stays locked by a stopped worker and the dead-worker sweep runs it again). Trying again is safe:
 * under a job key, add_job replaces the pending job; a keyless job whose first insert did commit is queued twice,
 * and every task is idempotent.
 */
export async function requeueFrom(
  helpers: JobHelpers,
  task: TaskName,
  payload: Record<string, unknown>,
  options: EnqueueOptions,
) {
  for (;;) {
    try {
      await helpers.addJob(task, payload, specOf(options));
      return;
    } catch (error) {
      if (!databaseUnreachable(error) || helpers.abortSignal?.aborted) throw error;
      helpers.logger.warn(`queueing ${task} lost its connection (${(error as Error).message}); trying again`);
      await new Promise((resolve) => setTimeout(resolve, DATABASE_RECONNECT_DELAY_MS));
    }
  }
}

/** graphile-worker's `add_job` on `db` (see enqueue's `on`). */
async function addJobOn(
  db: Queryable,
  task: string,
  payload: Record<string, unknown>,
  spec: TaskSpec,
): Promise<string> {
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
