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

export interface QueuedJob extends Pick<Job, "id" | "task_identifier" | "key" | "attempts" | "max_attempts" | "last_error"> {
  payload: Record<string, unknown>;
  run_at: Date;
}

export async function queuedJobs(task?: string): Promise<QueuedJob[]> {
  const { rows } = await pgPool().query<QueuedJob>(
    // The public graphile_worker.jobs view leaves out payloads; tests need them.
    `SELECT j.id, t.identifier AS task_identifier, j.key, j.attempts, j.max_attempts, j.last_error, j.payload, j.run_at
       FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id
      WHERE $1::text IS NULL OR t.identifier = $1 ORDER BY j.run_at, j.id`,
    [task ?? null],
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
