import { runTaskListOnce, type Job, type JobHelpers, type TaskList } from "graphile-worker";
import { pgPool } from "../../app/db.server";

/** Runs every job that is due now, once, with the given tasks (graphile-worker's own synchronous runner). */
export async function runDueJobs(taskList: TaskList): Promise<void> {
  const client = await pgPool().connect();
  try {
    await runTaskListOnce({ pgPool: pgPool() }, taskList, client);
  } finally {
    client.release();
  }
}

// Tests read graphile-worker's private tables (the public graphile_worker.jobs view leaves out payloads) through the
// helpers below only, so a change of its schema is mended in one place.

export interface QueuedJob extends Pick<
  Job,
  "id" | "task_identifier" | "key" | "attempts" | "max_attempts" | "last_error" | "locked_by" | "locked_at"
> {
  payload: Record<string, unknown>;
  run_at: Date;
  queue_name: string | null;
}

/** The jobs in graphile-worker's queue (of one task, or all), in the order they are due. */
export async function queuedJobs(task?: string): Promise<QueuedJob[]> {
  const { rows } = await pgPool().query<QueuedJob>(
    `SELECT j.id, t.identifier AS task_identifier, j.key, j.attempts, j.max_attempts, j.last_error, j.locked_by, j.locked_at,
            j.payload, j.run_at, q.queue_name
       FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
       LEFT JOIN graphile_worker._private_job_queues q ON q.id = j.job_queue_id
      WHERE $1::text IS NULL OR t.identifier = $1 ORDER BY j.run_at, j.id`,
    [task ?? null],
  );
  return rows;
}

export interface KnownCrontab {
  identifier: string;
  known_since: Date;
  last_execution: Date | null;
}

/** The crontab lines graphile-worker knows (registered by a worker's cron), with when each last fired, by identifier. */
export async function knownCrontabs(): Promise<KnownCrontab[]> {
  const { rows } = await pgPool().query<KnownCrontab>(
    "SELECT identifier, known_since, last_execution FROM graphile_worker._private_known_crontabs ORDER BY identifier",
  );
  return rows;
}

/** graphile-worker's helpers for calling a task directly: a silent logger, and the jobs it adds kept in `added`. */
export function fakeHelpers(job: Partial<Job> = {}): JobHelpers & { added: unknown[] } {
  const added: unknown[] = [];
  return {
    added,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    job: { key: null, ...job },
    addJob: async (...args: unknown[]) => {
      added.push(args);
      return {};
    },
  } as unknown as JobHelpers & { added: unknown[] };
}
