import type pg from "pg";
import { logger } from "~/lib/logger.server";

// graphile-worker (open source) leaves the jobs of a crashed worker locked for 4 hours. To recover sooner, every
// worker pool holds a session-level advisory lock named after its id on a dedicated connection for as long as the
// process lives. PostgreSQL drops a session's locks when the session ends, so a pool id found in `locked_by` whose
// lock can be taken belongs to a dead process: its jobs are unlocked and queued again.
//
// The lock is only as alive as its connection. When that connection drops (a database restart, a terminated
// backend, a network cut) the process is still running its jobs, so it reconnects and takes its locks again at
// once. Every live worker process sweeps for dead pools every minute; a pool counts as dead only when its lock is
// found free by two sweeps in a row, so a live process that is reconnecting (seconds) is never mistaken for a
// dead one, and a dead one's jobs are back in the queue within about two minutes.

const LOCK_SQL = "hashtextextended('marketplace-sync.worker-pool:' || $1, 0)";

/** How often a live worker process looks for dead pools. */
export const DEAD_WORKER_SWEEP_INTERVAL_MS = 60_000;
/** How long to wait before trying again to reconnect the liveness connection. */
const RECONNECT_DELAY_MS = 1_000;

export async function holdLivenessLock(client: pg.ClientBase, poolId: string): Promise<void> {
  await client.query(`SELECT pg_advisory_lock(${LOCK_SQL})`, [poolId]);
}

export interface SweepState {
  /** This process's own pool ids (its session holds their locks, so a try-lock on them would succeed). */
  own: ReadonlySet<string>;
  /** Pools whose lock the previous sweep found free: dead if this sweep finds them free again. */
  suspects: Set<string>;
}

/**
 * Unlocks and requeues the jobs of worker pools no live process holds, once a second sweep confirms it (see above);
 * returns how many jobs it requeued.
 */
export async function sweepDeadWorkers(client: pg.ClientBase, state: SweepState): Promise<number> {
  const { rows } = await client.query<{ locked_by: string; ids: string[] }>(
    `SELECT locked_by, array_agg(id::text) AS ids FROM graphile_worker.jobs
      WHERE locked_by IS NOT NULL GROUP BY locked_by`,
  );
  const seenFree = new Set<string>();
  let requeued = 0;
  for (const { locked_by: poolId, ids } of rows) {
    if (state.own.has(poolId)) continue;
    const { rows: lock } = await client.query<{ taken: boolean }>(`SELECT pg_try_advisory_lock(${LOCK_SQL}) AS taken`, [
      poolId,
    ]);
    if (!lock[0].taken) continue; // its owner is alive
    await client.query(`SELECT pg_advisory_unlock(${LOCK_SQL})`, [poolId]);
    if (!state.suspects.has(poolId)) {
      seenFree.add(poolId);
      continue;
    }
    // graphile-worker's documented SQL functions. (WorkerUtils.rescheduleJobs would turn `attempts: 0` into null.)
    await client.query("SELECT graphile_worker.force_unlock_workers($1::text[])", [[poolId]]);
    // The interrupted attempt consumed the job's only graphile-level attempt; give it back so the job runs again.
    await client.query("SELECT FROM graphile_worker.reschedule_jobs($1::bigint[], run_at := now(), attempts := 0)", [
      ids,
    ]);
    requeued += ids.length;
  }
  state.suspects.clear();
  for (const poolId of seenFree) state.suspects.add(poolId);
  return requeued;
}

export type LivenessLockState = "held" | "lost";

export interface WorkerLiveness {
  /** Takes (and from now on keeps) the lock of a worker pool of this process. */
  hold(poolId: string): Promise<void>;
  /** Lets go of the lock of a pool that has stopped (a replaced runner's). */
  release(poolId: string): Promise<void>;
  state(): LivenessLockState;
  /** The backend pid of the liveness connection (tests terminate it). */
  backendPid(): number | undefined;
  /** One sweep now (also run every `sweepIntervalMs`); 0 while the lock is lost. */
  sweep(): Promise<number>;
  stop(): Promise<void>;
}

export interface LivenessOptions {
  connect(): Promise<pg.PoolClient>;
  sweepIntervalMs?: number;
  log?: Pick<Console, "warn" | "error">;
}

/** Holds this process's liveness locks on a connection of their own, re-taking them whenever it reconnects. */
export async function keepWorkersAlive(options: LivenessOptions): Promise<WorkerLiveness> {
  const log = options.log ?? logger;
  const own = new Set<string>();
  const sweepState: SweepState = { own, suspects: new Set() };
  let client: pg.PoolClient | undefined;
  let stopped = false;
  let reconnecting: Promise<void> | undefined;
  let sweeping: Promise<number> | undefined;

  async function connect(): Promise<void> {
    const fresh = await options.connect();
    const lost = (error?: Error) => {
      if (client !== fresh) return;
      client = undefined;
      fresh.release(true);
      if (stopped) return;
      log.warn(`[worker] liveness connection lost (${error?.message ?? "ended"}); reconnecting to take the lock again`);
      reconnecting ??= reconnect().finally(() => (reconnecting = undefined));
    };
    fresh.on("error", lost);
    fresh.on("end", () => lost());
    try {
      for (const poolId of own) await holdLivenessLock(fresh, poolId);
    } catch (error) {
      fresh.release(true);
      throw error;
    }
    client = fresh;
  }

  async function reconnect(): Promise<void> {
    while (!stopped && !client) {
      try {
        await connect();
        log.warn(`[worker] liveness lock taken again for ${own.size} worker pool(s)`);
      } catch (error) {
        log.error(`[worker] liveness reconnect failed (${(error as Error).message}); trying again`);
        await new Promise((resolve) => setTimeout(resolve, RECONNECT_DELAY_MS).unref());
      }
    }
  }

  async function sweepOnce(): Promise<number> {
    if (!client) return 0;
    const requeued = await sweepDeadWorkers(client, sweepState);
    if (requeued > 0) log.warn(`[worker] requeued ${requeued} job(s) left locked by a worker that died`);
    return requeued;
  }

  await connect();
  const timer = setInterval(() => {
    sweeping ??= sweepOnce()
      .catch((error: Error) => {
        log.error(`[worker] dead-worker sweep failed: ${error.message}`);
        return 0;
      })
      .finally(() => (sweeping = undefined));
  }, options.sweepIntervalMs ?? DEAD_WORKER_SWEEP_INTERVAL_MS);
  timer.unref();

  return {
    async hold(poolId) {
      own.add(poolId);
      if (client) await holdLivenessLock(client, poolId);
    },
    async release(poolId) {
      if (!own.delete(poolId)) return;
      await client?.query(`SELECT pg_advisory_unlock(${LOCK_SQL})`, [poolId]);
    },
    state: () => (client ? "held" : "lost"),
    backendPid: () => (client as (pg.PoolClient & { processID?: number }) | undefined)?.processID,
    sweep: () => (sweeping ??= sweepOnce().finally(() => (sweeping = undefined))),
    async stop() {
      stopped = true;
      clearInterval(timer);
      await sweeping?.catch(() => undefined);
      // Destroyed, not returned to the pool: the connection holds the liveness locks until it closes.
      const current = client;
      client = undefined;
      current?.release(true);
    },
  };
}
