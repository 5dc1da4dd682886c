import { afterAll, describe, expect, it } from "vitest";
import { pgPool, prisma } from "../../app/db.server";
import { releaseWorkerUtils } from "../../app/jobs/queue.server";
import { TASK } from "../../app/jobs/task-names";
import { runReconciliationCycle } from "../../scripts/lib/soak/reconciliation-cycle";
import { queuedJobs } from "../support/jobs";

// The soak's reconciliation cycle waits for the runs it queued. No worker runs here: the test records the runs'
// sync_events itself, as the tasks would, while the cycle polls. The schedules keep firing during a soak's cycle, so
// besides the cycle's own runs there are runs that began before it queued its jobs and ended after: those read
// Shopify (or the marketplace) before the repair and must not pass for the cycle's.

const shop = "cycle-1.myshopify.com";
afterAll(() => releaseWorkerUtils());

const MINUTE = 60_000;
let operations = 0;

/** A run recorded now that took `tookMs`: it began that long ago. */
async function recordRun(eventType: "INVENTORY_SYNC" | "PRODUCT_SYNC" | "VERIFICATION", tookMs: number, metadata = {}) {
  await prisma.syncEvent.create({
    data: { shop, eventType, status: "SUCCESS", processingTimeMs: tookMs, metadata, createdAt: new Date() },
  });
}

/** A product sync recorded now whose export Shopify accepted `startedAgoMs` ago. */
async function recordProductSync(startedAgoMs: number) {
  const id = String(1_000 + ++operations);
  await pgPool().query(
    `INSERT INTO bulk_operation (id, shop, status, started_at, summary) VALUES ($1, $2, 'COMPLETED', $3, '{}')`,
    [id, shop, new Date(Date.now() - startedAgoMs)],
  );
  await recordRun("PRODUCT_SYNC", 2_000, { operationId: id });
}

describe("the soak's reconciliation cycle", () => {
  it("takes only runs begun after it queued them: not a scheduled verification that read during the repair", async () => {
    let step = 0;
    const cycle = await runReconciliationCycle([shop], {
      timeoutMs: MINUTE, // a safety net only: the steps below end the cycle
      onPoll: async () => {
        const verifying = (await queuedJobs(TASK.verification)).length > 0;
        if (!verifying && step === 0) {
          // Ended after the cycle queued its repair, begun before: a reconciliation and a sync of an adopted export.
          await recordRun("INVENTORY_SYNC", MINUTE, { mode: "reconcile" });
          await recordProductSync(MINUTE);
          step = 1;
        } else if (!verifying && step === 1) {
          await recordRun("INVENTORY_SYNC", 10, { mode: "reconcile" });
          await recordProductSync(0);
          step = 2;
        } else if (verifying && step < 3) {
          // The hourly verification, begun during the repair: it found what the repair was about to fix.
          await recordRun("VERIFICATION", MINUTE, { mismatched: 3, byField: { deleted: 3 }, inFlight: 0 });
          step = 3;
        } else if (verifying && step === 3) {
          await recordRun("VERIFICATION", 10, { mismatched: 0, byField: {}, inFlight: 0 });
          step = 4;
        }
      },
    });

    expect(cycle.runs.map((r) => [r.task, r.status, r.mismatched ?? null]).sort()).toEqual([
      [TASK.inventoryReconcile, "SUCCESS", null],
      [TASK.productSync, "SUCCESS", null],
      [TASK.verification, "SUCCESS", 0],
    ]);
    expect(step).toBe(4);
    // The sync that adopted an export begun before the cycle had the shop's product sync queued again.
    const [productSync] = await queuedJobs(TASK.productSync);
    const { rows } = await pgPool().query<{ revision: number }>(
      "SELECT revision FROM graphile_worker._private_jobs WHERE id = $1",
      [productSync.id],
    );
    expect(rows[0].revision).toBeGreaterThan(0);
  }, 120_000);
});
