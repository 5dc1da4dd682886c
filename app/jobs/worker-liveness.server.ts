import type pg from "pg";

// graphile-worker (open source) leaves the jobs of a crashed worker locked for 4 hours. To recover at once, every
// worker pool holds a session-level advisory lock named after its id on a dedicated connection for as long as the
// process lives. PostgreSQL drops a session's locks when the session ends, so on start-up any pool id found in
// `locked_by` whose lock can be taken belongs to a dead process: its jobs are unlocked and queued again.

const LOCK_SQL = "hashtextextended('marketplace-sync.worker-pool:' || $1, 0)";

export async function holdLivenessLock(client: pg.ClientBase, poolId: string): Promise<void> {
  await client.query(`SELECT pg_advisory_lock(${LOCK_SQL})`, [poolId]);
}

/** Unlocks and requeues the jobs of worker pools that no live process holds; returns how many jobs it requeued. */
export async function recoverJobsOfDeadWorkers(client: pg.ClientBase): Promise<number> {
  const { rows } = await client.query<{ locked_by: string; ids: string[] }>(
    `SELECT locked_by, array_agg(id::text) AS ids FROM graphile_worker.jobs
      WHERE locked_by IS NOT NULL GROUP BY locked_by`,
  );
  let requeued = 0;
  for (const { locked_by: poolId, ids } of rows) {
    const { rows: lock } = await client.query<{ taken: boolean }>(
      `SELECT pg_try_advisory_lock(${LOCK_SQL}) AS taken`,
      [poolId],
    );
    if (!lock[0].taken) continue; // its owner is alive
    await client.query(`SELECT pg_advisory_unlock(${LOCK_SQL})`, [poolId]);
    // graphile-worker's documented SQL functions. (WorkerUtils.rescheduleJobs would turn `attempts: 0` into null.)
    await client.query("SELECT graphile_worker.force_unlock_workers($1::text[])", [[poolId]]);
    // The interrupted attempt consumed the job's only graphile-level attempt; give it back so the job runs again.
    await client.query("SELECT FROM graphile_worker.reschedule_jobs($1::bigint[], run_at := now(), attempts := 0)", [ids]);
    requeued += ids.length;
  }
  return requeued;
}
