import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { pgPool } from "../../app/db.server";
import { checkHealth } from "../../app/health/check-health.server";
import { enqueueShopJob, workerUtils } from "../../app/jobs/queue.server";
import { SCHEDULES } from "../../app/jobs/schedules";
import { TASK } from "../../app/jobs/task-names";
import { recoverJobsOfDeadWorkers, holdLivenessLock } from "../../app/jobs/worker-liveness.server";
import { runningWorker, startWorker, stopWorker } from "../../app/jobs/worker.server";
import { queuedJobs } from "../support/jobs";

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

    const { rows } = await pgPool().query<{ identifier: string }>(
      "SELECT identifier FROM graphile_worker._private_known_crontabs ORDER BY identifier",
    );
    expect(rows.map((r) => r.identifier)).toEqual(SCHEDULES.map((s) => s.identifier).sort());
    expect(rows.map((r) => r.identifier)).toEqual(
      expect.arrayContaining(["integrity-check-fan-out", "inventory-sync-fan-out", "product-sync-fan-out"]),
    );
    expect(await checkHealth()).toEqual({ ok: true, database: "up", worker: "running" });

    await stopWorker();
    expect(runningWorker()).toBeUndefined();
    expect(await checkHealth()).toMatchObject({ ok: false, worker: "stopped" });
  });

  it("runs a queued job", async () => {
    await startWorker({ concurrency: 1, withCron: false, pollInterval: 100 });
    const utils = await workerUtils();
    // A fan-out with no connections to schedule: runs and completes.
    await utils.addJob(TASK.scheduleProductSyncs, {}, { maxAttempts: 1 });
    await expect.poll(async () => (await queuedJobs(TASK.scheduleProductSyncs)).length, { timeout: 10_000 }).toBe(0);
  });
});

describe("recovery of jobs left locked by a dead worker", () => {
  it("requeues the jobs of a pool whose process is gone, and leaves a live pool's jobs alone", async () => {
    await enqueueShopJob(TASK.productSync, { shop: "dead.myshopify.com", reason: "schedule" });
    await lockJobsAs("pool-of-a-crashed-process");

    // A live pool: another session holds its lock.
    const live = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await live.connect();
    await holdLivenessLock(live, "pool-still-running");
    await enqueueShopJob(TASK.productSync, { shop: "alive.myshopify.com", reason: "schedule" });
    await pgPool().query(
      "UPDATE graphile_worker._private_jobs SET locked_by = 'pool-still-running', locked_at = now() WHERE payload->>'shop' = 'alive.myshopify.com'",
    );

    const client = await pgPool().connect();
    try {
      expect(await recoverJobsOfDeadWorkers(client)).toBe(1);
    } finally {
      client.release(true);
      await live.end();
    }
    const jobs = await queuedJobs(TASK.productSync);
    const dead = jobs.find((j) => j.payload.shop === "dead.myshopify.com")!;
    expect(dead.attempts).toBe(0); // will run again
    const { rows } = await pgPool().query("SELECT locked_by FROM graphile_worker._private_jobs WHERE id = $1", [dead.id]);
    expect(rows[0].locked_by).toBeNull();
    const { rows: alive } = await pgPool().query(
      "SELECT locked_by FROM graphile_worker._private_jobs WHERE payload->>'shop' = 'alive.myshopify.com'",
    );
    expect(alive[0].locked_by).toBe("pool-still-running");
  });
});
