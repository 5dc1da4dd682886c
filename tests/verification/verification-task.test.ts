import { runTaskListOnce, Logger } from "graphile-worker";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pgPool, prisma } from "../../app/db.server";
import { enqueue, releaseWorkerUtils } from "../../app/jobs/queue.server";
import { shopJobKey } from "../../app/jobs/shop-jobs";
import { SYNC_KINDS } from "../../app/jobs/sync-kinds";
import { TASK } from "../../app/jobs/task-names";
import { TASKS } from "../../app/worker/task-list.server";
import { createVerificationTask } from "../../app/worker/tasks/verification.server";
import { queueVerificationOfAllShops } from "../../app/verification/queue-verifications.server";
import type { RunningEmulator } from "../../emulator";
import { adjustableClock, emulatedShop, startClockedEmulator } from "../inventory/emulated-shop";
import { queuedJobs } from "../support/jobs";

// The verification as a job: one more sync kind (its row, fan-out and crontab line), and the "verify every shop now"
// the demo and the soak use, run by graphile-worker.

const clock = adjustableClock();
let emulator: RunningEmulator;
const silent = new Logger(() => () => undefined);

beforeAll(async () => {
  emulator = await startClockedEmulator(clock);
});
afterAll(async () => {
  await emulator?.stop();
  await releaseWorkerUtils();
});

describe("the verification task", () => {
  it("is a sync kind of its own: hourly fan-out, VERIFICATION events, an operator's run-now intent", () => {
    expect(SYNC_KINDS[TASK.verification]).toMatchObject({
      fanOutTask: TASK.scheduleVerifications,
      eventType: "VERIFICATION",
      adminIntent: "verify",
      schedule: { match: "20 * * * *" },
    });
    expect(TASKS[TASK.verification].definition.retry.maxAttempts).toBe(2);
  });

  it("queues one verification, due now, of every schedulable shop, moving a pending one instead of doubling it", async () => {
    const active = await emulatedShop(emulator, { domain: "verify-task-a.myshopify.com", products: 3 });
    // Its stock counts as synced: the verification waits for a shop's first inventory sync.
    await prisma.merchantConnection.update({
      where: { shop: active.shop },
      data: { lastInventorySyncAt: clock.now() },
    });
    await emulatedShop(emulator, { domain: "verify-task-paused.myshopify.com", products: 1 });
    await prisma.merchantConnection.update({
      where: { shop: "verify-task-paused.myshopify.com" },
      data: { syncPaused: true },
    });
    const later = new Date(clock.now().getTime() + 25 * 60_000);
    await enqueue(
      TASK.verification,
      { shop: active.shop, reason: "schedule" },
      { jobKey: shopJobKey(TASK.verification, active.shop), runAt: later },
    );

    const now = new Date();
    expect(await queueVerificationOfAllShops(now)).toEqual([active.shop]);
    const jobs = await queuedJobs(TASK.verification);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ payload: { shop: active.shop, reason: "manual" } });
    expect(jobs[0].run_at.getTime()).toBe(now.getTime());

    const task = createVerificationTask({ clientFor: async () => active.client, now: clock.now });
    const client = await pgPool().connect();
    try {
      await runTaskListOnce({ pgPool: pgPool(), logger: silent }, { [TASK.verification]: task }, client).promise;
    } finally {
      client.release();
    }
    const event = await prisma.syncEvent.findFirstOrThrow({ where: { shop: active.shop, eventType: "VERIFICATION" } });
    // The fixture's rows were not written by a product sync: titles and prices differ from Shopify's.
    expect(event).toMatchObject({ status: "SUCCESS", itemCount: 6 });
    expect(event.metadata).toMatchObject({ listed: 6, verified: 6, productSyncQueued: true });
    expect(await queuedJobs(TASK.verification)).toEqual([]);
  });
});
