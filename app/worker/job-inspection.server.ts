import { z } from "zod";
import { userText } from "~/lib/user-text";
import { pgPool } from "~/db.server";
import { readCursor, type KeysetCursor } from "~/lib/keyset-cursor";
import { keysetPage, keysetSql, type KeysetOrder } from "~/lib/keyset-page.server";
import { retryPolicyOf } from "./task-list.server";

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

const jobsFilters = z.object({
  state: z.enum(JOB_STATES).optional().catch(undefined),
  task: userText(100)
    .optional()
    .catch(undefined)
    .transform((v) => v || undefined),
  shop: userText(255)
    .optional()
    .catch(undefined)
    .transform((v) => v || undefined),
});
export type JobsFilters = z.infer<typeof jobsFilters>;
/** Without a cursor, the first page (a merchant's page shows that much of the shop's jobs). */
export type JobsQuery = JobsFilters & { cursor?: KeysetCursor | null };

/** A job id as a form sends it (graphile-worker ids are bigints). */
export const jobId = z
  .string()
  .trim()
  .regex(/^\d{1,18}$/, "must be a job id (digits)");

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

export const PAGE_SIZE = 50;

// Failed jobs first (they wait for a person), then running, then pending, each by when it runs: one keyset order
// (app/lib/keyset-page.server.ts) over the state computed in SQL, so Next crosses from one state to the next with
// no gap. run_at keeps microseconds (graphile-worker's now()), and so does the cursor: cut to milliseconds, it
// would fall before its own row, and the next page would show that row again.
const STATE_RANK: Record<JobState, number> = { failed: 0, running: 1, pending: 2 };
const ORDER: KeysetOrder = { key: ["r.rank", "j.run_at"], id: "j.id", parts: ["int", "epochUs"], descending: false };

/** The jobs page's query string: its filters (anything unknown falls back to "everything") and page cursor. */
export function parseJobsQuery(params: URLSearchParams): JobsFilters & { cursor: KeysetCursor | null } {
  return { ...jobsFilters.parse(Object.fromEntries(params)), cursor: readCursor(params, ORDER.parts).cursor };
}

export async function listJobs({ state, task, shop, cursor = null }: JobsQuery): Promise<{
  jobs: JobListItem[];
  next: KeysetCursor | null;
  previous: KeysetCursor | null;
}> {
  const conditions: string[] = [];
  const params: unknown[] = [];
  if (task) conditions.push(`t.identifier = $${params.push(task)}`);
  if (shop) conditions.push(`j.payload->>'shop' = $${params.push(shop)}`);
  if (state) conditions.push(`s.state = $${params.push(state)}`);
  const { condition, orderBy } = keysetSql(ORDER, cursor, params);
  if (condition) conditions.push(condition);
  const rank = Object.entries(STATE_RANK)
    .map(([name, value]) => `WHEN '${name}' THEN ${value}`)
    .join(" ");
  const { rows } = await pgPool().query<Omit<JobListItem, "maxAttempts"> & { runAtUs: string }>(
    `SELECT j.id::text AS id, t.identifier AS task, j.key, j.payload->>'shop' AS shop, s.state,
            CASE WHEN json_typeof(j.payload->'_retry'->'attempt') = 'number'
                 THEN (j.payload->'_retry'->>'attempt')::numeric::int ELSE 1 END AS attempt,
            j.run_at AS "runAt", j.locked_at AS "lockedAt", j.locked_by AS "lockedBy",
            COALESCE(j.last_error, j.payload->'_retry'->>'lastError') AS "lastError", j.created_at AS "createdAt",
            (extract(epoch FROM j.run_at) * 1000000)::bigint AS "runAtUs"
       FROM ${JOBS_FROM}
            CROSS JOIN LATERAL (SELECT ${STATE_SQL} AS state) s
            CROSS JOIN LATERAL (SELECT CASE s.state ${rank} END AS rank) r
      ${conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : ""}
      ORDER BY ${orderBy}
      LIMIT ${PAGE_SIZE + 1}`,
    params,
  );
  const page = keysetPage(rows, PAGE_SIZE, cursor, (job) => ({
    key: [STATE_RANK[job.state], Number(job.runAtUs)],
    id: job.id,
  }));
  const jobs = page.rows.map(({ runAtUs: _, ...job }) => ({
    ...job,
    maxAttempts: retryPolicyOf(job.task).maxAttempts,
  }));
  return { jobs, next: page.next, previous: page.previous };
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
