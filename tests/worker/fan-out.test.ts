import { beforeEach, describe, expect, it } from "vitest";
import { pgPool, prisma } from "../../app/db.server";
import { shopJobKey, stableOffsetMs } from "../../app/jobs/shop-jobs";
import { SCHEDULE_OVERFLOW, scheduleProductSyncs } from "../../app/worker/tasks/schedule-shop-syncs.server";
import { fanOutShopJobs } from "../../app/worker/fan-out.server";
import { enqueue } from "../../app/jobs/queue.server";
import { TASK } from "../../app/jobs/task-names";
import { taskList } from "../../app/worker/task-list.server";
import { resetEnvCache } from "../../app/env.server";
import { fakeHelpers, queuedJobs, runDueJobs } from "../support/jobs";
import { createConnection } from "../support/merchants";

const HOUR = 60 * 60 * 1000;
const firedAt = new Date("2026-11-24T03:00:00Z");

async function fanOut(task: typeof TASK.productSync | typeof TASK.inventorySync, windowMs = 2 * HOUR) {
  return fanOutShopJobs({ task, firedAt, windowMs });
}

beforeEach(async () => {
  await pgPool().query("DELETE FROM graphile_worker._private_jobs");
  await prisma.merchantConnection.deleteMany();
});

describe("fan-out", () => {
  it("queues one job per active, approved, unpaused connection and none for the others", async () => {
    await createConnection("approved-a.myshopify.com");
    await createConnection("approved-b.myshopify.com");
    await createConnection("pending.myshopify.com", { approvalStatus: "PENDING" });
    await createConnection("rejected.myshopify.com", { approvalStatus: "REJECTED" });
    await createConnection("suspended.myshopify.com", { approvalStatus: "SUSPENDED" });
    await createConnection("uninstalled.myshopify.com", { active: false });
    await createConnection("paused.myshopify.com", { syncPaused: true });

    expect(await fanOut(TASK.productSync)).toEqual({ scheduled: 2, stillWaiting: 0 });
    const jobs = await queuedJobs(TASK.productSync);
    expect(jobs.map((j) => j.payload.shop).sort()).toEqual(["approved-a.myshopify.com", "approved-b.myshopify.com"]);
    expect(jobs.map((j) => j.key).sort()).toEqual([
      "product-sync:approved-a.myshopify.com",
      "product-sync:approved-b.myshopify.com",
    ]);
  });

  it("spreads shops over the window with a stable offset per shop", async () => {
    const shops = Array.from({ length: 200 }, (_, i) => `shop-${i}.myshopify.com`);
    await prisma.merchantConnection.createMany({
      data: shops.map((shop) => ({ shop, merchantId: shop, approvalStatus: "APPROVED" as const })),
    });
    await fanOut(TASK.productSync, 2 * HOUR);
    const jobs = await queuedJobs(TASK.productSync);
    expect(jobs).toHaveLength(200);

    const offsets = jobs.map((j) => j.run_at.getTime() - firedAt.getTime());
    expect(Math.min(...offsets)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...offsets)).toBeLessThan(2 * HOUR);
    // Evenly spread: each quarter of the window gets a fair share (a fixed per-merchant stagger would not).
    const quarters = [0, 0, 0, 0];
    for (const offset of offsets) quarters[Math.floor(offset / (HOUR / 2))]++;
    for (const count of quarters) expect(count).toBeGreaterThan(25);
    // Stable: the offset depends on the shop, not on how many shops there are or their order.
    for (const job of jobs) {
      const shop = String(job.payload.shop);
      expect(job.run_at.getTime() - firedAt.getTime()).toBe(stableOffsetMs(TASK.productSync, shop, 2 * HOUR));
    }
    // Different kinds of job for one shop land at different times.
    expect(stableOffsetMs(TASK.productSync, shops[0], HOUR)).not.toBe(
      stableOffsetMs(TASK.inventorySync, shops[0], HOUR),
    );
  });

  it("does not duplicate a pending job when it runs again, and keeps that job's time", async () => {
    await createConnection("only.myshopify.com");
    await fanOut(TASK.inventorySync);
    const [first] = await queuedJobs(TASK.inventorySync);
    await fanOut(TASK.inventorySync);
    await fanOut(TASK.inventorySync);
    const jobs = await queuedJobs(TASK.inventorySync);
    expect(jobs).toHaveLength(1);
    expect(jobs[0].run_at).toEqual(first.run_at);
  });

  it("runs from the cron task: the schedule task queues the per-shop jobs from the cron's time", async () => {
    await createConnection("cron.myshopify.com");
    // A firing a day ahead of the real clock (the database's, which decides what is due): its per-shop job is
    // queued from the cron's time, so it is not due yet and stays queued. A fixed instant would be in the past
    // one day and the job would run here.
    const cronTs = new Date(Math.ceil(Date.now() / HOUR) * HOUR + 24 * HOUR).toISOString();
    await enqueue(TASK.scheduleIntegrityChecks, { _cron: { ts: cronTs, backfilled: false } });
    await runDueJobs(taskList);
    const jobs = await queuedJobs(TASK.integrityCheck);
    expect(jobs).toHaveLength(1);
    expect(jobs[0].payload).toMatchObject({ shop: "cron.myshopify.com", reason: "schedule" });
    expect(jobs[0].run_at.getTime()).toBeGreaterThanOrEqual(Date.parse(cronTs));
    expect(await queuedJobs(TASK.scheduleIntegrityChecks)).toHaveLength(0);
  });

  it("spreads over the window shrunk by SCHEDULE_TIME_SCALE, so a compressed run ends before the next is due", async () => {
    for (let i = 0; i < 20; i++) await createConnection(`scaled-${i}.myshopify.com`);
    const cronTs = new Date(Math.ceil(Date.now() / HOUR) * HOUR + 24 * HOUR).toISOString();
    process.env.INVENTORY_SYNC_SPREAD_MINUTES = "30";
    process.env.SCHEDULE_TIME_SCALE = "60";
    resetEnvCache();
    try {
      await enqueue(TASK.scheduleInventorySyncs, { _cron: { ts: cronTs, backfilled: false } });
      await runDueJobs(taskList);
    } finally {
      delete process.env.INVENTORY_SYNC_SPREAD_MINUTES;
      delete process.env.SCHEDULE_TIME_SCALE;
      resetEnvCache();
    }
    const offsets = (await queuedJobs(TASK.inventorySync)).map((job) => job.run_at.getTime() - Date.parse(cronTs));
    expect(offsets).toHaveLength(20);
    // 30 minutes / 60: every job within the first 30 seconds of the (one-minute) compressed hour.
    expect(Math.max(...offsets)).toBeLessThan(30_000);
    expect(Math.min(...offsets)).toBeGreaterThanOrEqual(0);
  });

  it("says when a firing finds the previous run's jobs not started (the fleet outgrew the window), and when that ends", async () => {
    await createConnection("late.myshopify.com");
    await createConnection("on-time.myshopify.com");
    await prisma.alert.deleteMany();
    const helpers = fakeHelpers();
    const fire = () => scheduleProductSyncs({ _cron: { ts: new Date().toISOString(), backfilled: false } }, helpers);
    // The previous firing's job for one shop: due an hour ago, never started. A retry waiting by design is not late.
    await enqueue(
      TASK.productSync,
      { shop: "late.myshopify.com", reason: "schedule" },
      {
        runAt: new Date(Date.now() - HOUR),
        jobKey: shopJobKey(TASK.productSync, "late.myshopify.com"),
      },
    );
    await pgPool().query("UPDATE graphile_worker._private_jobs SET attempts = 0");

    await fire();
    const open = await prisma.alert.findMany({ where: { type: SCHEDULE_OVERFLOW } });
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ status: "OPEN", severity: "WARNING", jobType: TASK.productSync, shop: null });
    expect(open[0].title).toContain("1 of 2 product-sync jobs");
    await fire(); // still late: the same incident, one more occurrence, not a second alert
    expect(await prisma.alert.findMany({ where: { type: SCHEDULE_OVERFLOW } })).toMatchObject([{ occurrences: 2 }]);

    await pgPool().query("DELETE FROM graphile_worker._private_jobs"); // the workers caught up
    await fire();
    expect(await prisma.alert.findMany({ where: { type: SCHEDULE_OVERFLOW } })).toMatchObject([{ status: "RESOLVED" }]);
  });
});
