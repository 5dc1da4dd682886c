import { z } from "zod";
import { pgPool } from "~/db.server";
import { retryPolicyFor } from "./retry-policy";

// The jobs page: what graphile-worker holds, by task and state, and the operator's "retry now", "give up" and
// "dismiss".
//
// COUPLING, on purpose and only here: graphile-worker's public `jobs` view leaves out the payload, and the shop a job
// is for lives in the payload, so this module reads `_private_jobs` joined with `_private_tasks` (schema of
// graphile-worker 0.16+). Changes go through graphile-worker's own SQL functions (reschedule_jobs,
// permanently_fail_jobs, complete_jobs), which skip a job that a live worker has locked. When upgrading
// graphile-worker, check this file first.
//
// Our jobs are queued with max_attempts = 1 and retried by defineTask (docs/decisions/003-job-retries.md): the
// attempt number is the payload's `_retry.attempt` (1 when absent) against the task's retry policy, and a job that
// failed for good stays in the table with attempts >= max_attempts.

export const JOB_STATES = ["pending", "running", "failed"] as const;
export type JobState = (typeof JOB_STATES)[number];

/** The jobs page's query string; anything unknown falls back to "everything". */
export const jobsQuery = z.object({
  state: z.enum(JOB_STATES).optional().catch(undefined),
  task: z.string().trim().max(100).optional().catch(undefined).transform((v) => v || undefined),
  shop: z.string().trim().max(255).optional().catch(undefined).transform((v) => v || undefined),
});
export type JobsQuery = z.infer<typeof jobsQuery>;

/** A job id as a form sends it (graphile-worker ids are bigints). */
export const jobId = z.string().trim().regex(/^\d{1,18}$/, "must be a job id (digits)");

export interface JobListItem {
  id: string;
  task: string;
  key: string | null;
  shop: string | null;
  state: JobState;
  /** Our attempt number (from the payload's `_retry`), and how many the retry policy allows. */
  attempt: number;
  maxAttempts: number;
  runAt: Date;
  lockedAt: Date | null;
  lockedBy: string | null;
  lastError: string | null;
  createdAt: Date;
}

export interface TaskJobCounts {
  task: string;
  pending: number;
  running: number;
  failed: number;
}

// A lock older than 4 hours belongs to a dead worker: graphile-worker itself treats such a job as available again.
const STATE_SQL = `CASE WHEN j.locked_at IS NOT NULL AND j.locked_at > now() - interval '4 hours' THEN 'running'
                        WHEN j.attempts >= j.max_attempts THEN 'failed'
                        ELSE 'pending' END`;

const JOBS_FROM = `graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id`;

const PAGE_SIZE = 200;

export async function listJobs(query: JobsQuery): Promise<{ jobs: JobListItem[]; truncated: boolean }> {
  const { rows } = await pgPool().query<Omit<JobListItem, "maxAttempts">>(
    `SELECT * FROM (
       SELECT j.id::text AS id, t.identifier AS task, j.key, j.payload->>'shop' AS shop, ${STATE_SQL} AS state,
              CASE WHEN json_typeof(j.payload->'_retry'->'attempt') = 'number'
                   THEN (j.payload->'_retry'->>'attempt')::numeric::int ELSE 1 END AS attempt,
              j.run_at AS "runAt", j.locked_at AS "lockedAt", j.locked_by AS "lockedBy",
              COALESCE(j.last_error, j.payload->'_retry'->>'lastError') AS "lastError", j.created_at AS "createdAt"
         FROM ${JOBS_FROM}
        WHERE ($1::text IS NULL OR t.identifier = $1) AND ($2::text IS NULL OR j.payload->>'shop' = $2)
     ) jobs
     WHERE $3::text IS NULL OR state = $3
     ORDER BY CASE state WHEN 'failed' THEN 0 WHEN 'running' THEN 1 ELSE 2 END, "runAt", id::bigint
     LIMIT ${PAGE_SIZE + 1}`,
    [query.task ?? null, query.shop ?? null, query.state ?? null],
  );
  const jobs = rows.slice(0, PAGE_SIZE).map((job) => ({ ...job, maxAttempts: retryPolicyFor(job.task).maxAttempts }));
  return { jobs, truncated: rows.length > PAGE_SIZE };
}

export async function countJobsByTask(): Promise<TaskJobCounts[]> {
  const { rows } = await pgPool().query<TaskJobCounts>(
    `SELECT task, count(*) FILTER (WHERE state = 'pending')::int AS pending,
            count(*) FILTER (WHERE state = 'running')::int AS running,
            count(*) FILTER (WHERE state = 'failed')::int AS failed
       FROM (SELECT t.identifier AS task, ${STATE_SQL} AS state FROM ${JOBS_FROM}) jobs
      GROUP BY task ORDER BY task`,
  );
  return rows;
}

/** The job's task, shop and state, or null when there is no such job (it ran and was deleted, or never existed). */
export async function findJob(id: string): Promise<{ task: string; shop: string | null; state: JobState } | null> {
  const { rows } = await pgPool().query<{ task: string; shop: string | null; state: JobState }>(
    `SELECT t.identifier AS task, j.payload->>'shop' AS shop, ${STATE_SQL} AS state FROM ${JOBS_FROM} WHERE j.id = $1::bigint`,
    [id],
  );
  return rows[0] ?? null;
}

/**
 * Runs a pending or failed job now, with graphile-worker's attempts reset to 0 (our max_attempts is 1, so a failed
 * job must get its attempt back to run at all). The function is called in SQL because WorkerUtils.rescheduleJobs
 * turns `attempts: 0` into null ("keep"). Our own attempt number in the payload is kept: the retry runs as the
 * same attempt, so a job that had spent its policy gets exactly one more try. Returns false for a running job.
 */
export async function retryJobNow(id: string): Promise<boolean> {
  const { rowCount } = await pgPool().query(
    `SELECT 1 FROM graphile_worker.reschedule_jobs(ARRAY[$1::bigint], run_at := now(), attempts := 0)`,
    [id],
  );
  return (rowCount ?? 0) > 0;
}

/** Stops a pending job from running (it stays listed as failed, with who gave up). False unless it was pending. */
export async function giveUpJob(id: string, by: string): Promise<boolean> {
  const { rowCount } = await pgPool().query(
    `SELECT 1 FROM graphile_worker.permanently_fail_jobs(
       ARRAY(SELECT j.id FROM graphile_worker._private_jobs j WHERE j.id = $1::bigint AND j.attempts < j.max_attempts),
       $2)`,
    [id, `Given up by ${by}`],
  );
  return (rowCount ?? 0) > 0;
}

/** Deletes a failed job once someone has looked at it. False unless it was failed (and not running). */
export async function dismissFailedJob(id: string): Promise<boolean> {
  const { rowCount } = await pgPool().query(
    `SELECT 1 FROM graphile_worker.complete_jobs(
       ARRAY(SELECT j.id FROM graphile_worker._private_jobs j WHERE j.id = $1::bigint AND j.attempts >= j.max_attempts))`,
    [id],
  );
  return (rowCount ?? 0) > 0;
}
