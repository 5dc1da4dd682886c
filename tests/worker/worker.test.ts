import pg from "pg";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { pgPool } from "../../app/db.server";
import { checkHealth } from "../../app/health/check-health.server";
import { enqueue } from "../../app/jobs/queue.server";
import { shopJobOptions } from "../../app/jobs/shop-jobs";
import { SCHEDULES } from "../../app/worker/schedules.server";
import { TASK } from "../../app/jobs/task-names";
import { holdLivenessLock, sweepDeadWorkers } from "../../app/worker/worker-liveness.server";
import { runningWorker, startWorker, stopWorker } from "../../app/worker/worker.server";
import { knownCrontabs, queuedJobs } from "../support/jobs";

beforeEach(async () => {
  await pgPool().query("DELETE FROM graphile_worker._private_jobs");
});

afterEach(async () => {
  await stopWorker();
});

async function lockJobsAs(poolId: string) {
  await pgPool().query(
    "UPDATE graphile_worker._private_jobs SET locked_by = $1, locked_at = now(), attempts = max_attempts",
    [poolId],
  );
}

describe("the in-process worker", () => {
  it("starts once, registers the three cron entries, reports healthy, and stops", async () => {
    const first = await startWorker({ concurrency: 2 });
    const second = await startWorker({ concurrency: 2 });
    expect(second).toBe(first); // a second start (Vite reload) finds the running worker

    // The crontab registers its items as it starts, beside run()'s promise: wait for it.
    const identifiers = async () => (await knownCrontabs()).map((r) => r.identifier);
    await expect.poll(identifiers, { timeout: 10_000 }).toEqual(SCHEDULES.map((s) => s.identifier).sort());
    expect(await identifiers()).toEqual(
      expect.arrayContaining(["integrity-check-fan-out", "inventory-sync-fan-out", "product-sync-fan-out"]),
    );
    expect(await checkHealth()).toEqual({ ok: true, database: "up", worker: "running", workerLock: "held" });

    await stopWorker();
    expect(runningWorker()).toBeUndefined();
    expect(await checkHealth()).toMatchObject({ ok: false, worker: "stopped" });
  });

  it("runs a queued job", async () => {
    await startWorker({ concurrency: 1, withCron: false, pollInterval: 100 });
    // A fan-out with no connections to schedule: runs and completes.
    await enqueue(TASK.scheduleProductSyncs, {});
    await expect.poll(async () => (await queuedJobs(TASK.scheduleProductSyncs)).length, { timeout: 10_000 }).toBe(0);
  });
});

describe("recovery of jobs left locked by a dead worker", () => {
  it("requeues the jobs of a pool whose process is gone (seen by two sweeps), and leaves a live pool's jobs alone", async () => {
    await enqueue(
      TASK.productSync,
      { shop: "dead.myshopify.com", reason: "schedule" },
      shopJobOptions(TASK.productSync, "dead.myshopify.com"),
    );
    await lockJobsAs("pool-of-a-crashed-process");

    // A live pool: another session holds its lock.
    const live = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await live.connect();
    await holdLivenessLock(live, "pool-still-running");
    await enqueue(
      TASK.productSync,
      { shop: "alive.myshopify.com", reason: "schedule" },
      shopJobOptions(TASK.productSync, "alive.myshopify.com"),
    );
    await pgPool().query(
      "UPDATE graphile_worker._private_jobs SET locked_by = 'pool-still-running', locked_at = now() WHERE payload->>'shop' = 'alive.myshopify.com'",
    );

    const client = await pgPool().connect();
    try {
      const state = { own: new Set<string>(), suspects: new Set<string>() };
      expect(await sweepDeadWorkers(client, state)).toBe(0); // the first sighting: perhaps only reconnecting
      expect([...state.suspects]).toEqual(["pool-of-a-crashed-process"]);
      expect(await sweepDeadWorkers(client, state)).toBe(1);
    } finally {
      client.release(true);
      await live.end();
    }
    const jobs = await queuedJobs(TASK.productSync);
    const dead = jobs.find((j) => j.payload.shop === "dead.myshopify.com")!;
    expect(dead.attempts).toBe(0); // will run again
    const after = await queuedJobs();
    expect(after.find((j) => j.id === dead.id)!.locked_by).toBeNull();
    expect(after.find((j) => j.payload.shop === "alive.myshopify.com")!.locked_by).toBe("pool-still-running");
  });
});

/** Whether some session holds the pool's liveness lock: another session's try-lock fails then. */
async function livenessLockHeld(poolId: string): Promise<boolean> {
  const probe = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await probe.connect();
  try {
    const { rows } = await probe.query<{ taken: boolean }>(
      "SELECT pg_try_advisory_lock(hashtextextended('marketplace-sync.worker-pool:' || $1, 0)) AS taken",
      [poolId],
    );
    return !rows[0].taken; // the probe's session ends below, releasing whatever it took
  } finally {
    await probe.end();
  }
}

describe("the liveness lock and the sweep, while the worker runs", () => {
  it("a worker whose liveness connection is killed takes its lock again (and /healthz says so)", async () => {
    const state = await startWorker({ concurrency: 1, withCron: false, pollInterval: 100 });
    const [poolId] = state.poolIds;
    expect(await livenessLockHeld(poolId)).toBe(true);
    const killed = state.liveness.backendPid();
    expect(killed).toBeTypeOf("number");

    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    await pgPool().query("SELECT pg_terminate_backend($1)", [killed]);
    await expect
      .poll(() => state.liveness.backendPid() !== undefined && state.liveness.backendPid() !== killed, {
        timeout: 10_000,
      })
      .toBe(true);
    expect(await livenessLockHeld(poolId)).toBe(true);
    expect(await checkHealth()).toMatchObject({ ok: true, workerLock: "held" });
    expect(warn.mock.calls.some(([line]) => String(line).includes("liveness connection lost"))).toBe(true);
    warn.mockRestore();
  });

  it("every connection of the database dropped at once (what a restart does to the app): lock, health and jobs come back", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const state = await startWorker({
      concurrency: 1,
      withCron: false,
      pollInterval: 100,
      sweepIntervalMs: 200,
      stallAfterMs: 1_000,
    });
    const before = state.liveness.backendPid();
    // From a session of its own, so the test's own pool is cut too.
    const killer = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await killer.connect();
    const { rows } = await killer.query<{ n: number }>(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid()`,
    );
    await killer.end();
    expect(rows[0].n).toBeGreaterThan(1);

    await expect
      .poll(() => state.liveness.backendPid() !== undefined && state.liveness.backendPid() !== before, {
        timeout: 15_000,
      })
      .toBe(true);
    // The worker still takes and finishes jobs, each once (when the drop wedged the runner, a new one does).
    await enqueue(TASK.scheduleProductSyncs, {});
    await expect.poll(async () => (await queuedJobs(TASK.scheduleProductSyncs)).length, { timeout: 15_000 }).toBe(0);
    await expect.poll(async () => (await checkHealth()).ok, { timeout: 15_000 }).toBe(true);
    expect(await livenessLockHeld(state.poolIds.at(-1)!)).toBe(true);
    vi.restoreAllMocks();
  });

  it("a runner wedged by a connection lost during its first task lookup is replaced, and takes jobs again", async () => {
    // graphile-worker caches the promise of its first task-id lookup; when that lookup's connection is cut, every
    // later fetch fails with the cached error (app/worker/worker-stall.server.ts). Hold the lookup's INSERT on a table
    // lock, cut its connection, and let go.
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    const blocker = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await blocker.connect();
    await blocker.query("BEGIN");
    await blocker.query("LOCK TABLE graphile_worker._private_tasks IN SHARE MODE");
    const state = await startWorker({ concurrency: 1, withCron: false, pollInterval: 100, stallAfterMs: 1_000 });
    const [firstPool] = state.poolIds;
    // The lookup's session waits for the table (pg_stat_activity may not show its query yet; pg_locks does).
    const waitingLookup = async () =>
      (
        await blocker.query<{ pid: number }>(
          `SELECT pid FROM pg_locks WHERE NOT granted AND relation = 'graphile_worker._private_tasks'::regclass
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        )
      ).rows.map((r) => r.pid);
    await expect.poll(waitingLookup, { timeout: 10_000 }).toHaveLength(1);
    await blocker.query("SELECT pg_terminate_backend($1)", [(await waitingLookup())[0]]);
    await blocker.query("COMMIT");
    await blocker.end();

    // The cut session's pooled client can be handed out once more before its socket's end is read (pg-pool sees
    // only the FATAL message first), so the first enqueue may meet "Connection terminated": queue until one lands.
    await expect
      .poll(
        () =>
          enqueue(TASK.scheduleProductSyncs, {}).then(
            () => true,
            () => false,
          ),
        { timeout: 10_000 },
      )
      .toBe(true);
    await expect.poll(async () => (await queuedJobs(TASK.scheduleProductSyncs)).length, { timeout: 15_000 }).toBe(0);
    expect(state.restarts).toBe(1);
    expect(errors.mock.calls.some(([line]) => String(line).includes("replacing the runner"))).toBe(true);
    // The new pool holds its liveness lock; the replaced one's is let go.
    expect(await livenessLockHeld(state.poolIds.at(-1)!)).toBe(true);
    expect(await livenessLockHeld(firstPool)).toBe(false);
    expect(await checkHealth()).toMatchObject({ ok: true, worker: "running" });
    vi.restoreAllMocks();
  });

  it("/healthz reports a lost lock as unhealthy", async () => {
    const state = await startWorker({ concurrency: 1, withCron: false, pollInterval: 100 });
    vi.spyOn(state.liveness, "state").mockReturnValue("lost");
    expect(await checkHealth()).toMatchObject({ ok: false, worker: "running", workerLock: "lost" });
    vi.restoreAllMocks();
  });

  it("/healthz reports a stalled runner (every fetch failing while the database answers) as unhealthy", async () => {
    const state = await startWorker({ concurrency: 1, withCron: false, pollInterval: 100 });
    vi.spyOn(state, "stalled").mockReturnValue(true);
    expect(await checkHealth()).toMatchObject({ ok: false, database: "up", worker: "stalled" });
    vi.restoreAllMocks();
  });

  it("the periodic sweep of a running worker requeues a dead worker's job, without a restart", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => undefined);
    await startWorker({ concurrency: 1, withCron: false, pollInterval: 100, sweepIntervalMs: 200 });
    // A fan-out with no connections: runs and completes once it is unlocked.
    const jobId = await enqueue(TASK.scheduleProductSyncs, {}, { runAt: new Date(Date.now() + 60 * 60_000) });
    await pgPool().query(
      "UPDATE graphile_worker._private_jobs SET locked_by = 'pool-of-a-crashed-process', locked_at = now(), attempts = 1, run_at = now() WHERE id = $1",
      [jobId],
    );
    await expect.poll(async () => (await queuedJobs(TASK.scheduleProductSyncs)).length, { timeout: 15_000 }).toBe(0);
    vi.restoreAllMocks();
  });
});
