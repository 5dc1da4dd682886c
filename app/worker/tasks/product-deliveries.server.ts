import { recordSyncEvent } from "~/analytics/record-sync-event.server";
import { applyPendingProductDeliveries } from "~/sync/apply-product-deliveries.server";
import { queueJobsOfPendingDeliveries, queueProductDeliveriesJob } from "~/sync/record-product-delivery.server";
import { productDeliveriesPayload } from "~/sync/product-job-payloads.server";
import { NO_RETRY_POLICY } from "~/jobs/retry-policy";
import { TASK } from "~/jobs/task-names";
import { cronPayload } from "~/jobs/task-payloads";
import { defineTask } from "../define-task.server";

// `product-deliveries` {shop}: one batch of the shop's pending products/* deliveries, coalesced per product
// (app/sync/apply-product-deliveries.server.ts), and one WEBHOOK sync event for it. A full batch queues the next one
// first (same job key), so another worker slot starts on it while this one applies.
export const productDeliveries = defineTask({
  name: TASK.productDeliveries,
  payload: productDeliveriesPayload,
  retry: { maxAttempts: 5, firstDelayMs: 10_000 },
  async run({ shop }) {
    const started = Date.now();
    const result = await applyPendingProductDeliveries(shop, {
      onFullBatch: () => queueProductDeliveriesJob(shop),
    });
    if (result.deliveries === 0 || result.outcomes["unknown-shop"] === result.deliveries) return;
    await recordSyncEvent({
      shop,
      eventType: "WEBHOOK",
      status: "SUCCESS",
      itemCount: result.productsWritten + result.variantsWritten,
      processingTimeMs: Date.now() - started,
      metadata: { ...result },
    });
  },
});

// Cron (every minute): the job of every shop whose deliveries wait with no job, because the process that accepted
// them died before it queued one (app/sync/record-product-delivery.server.ts).
export const productDeliveriesSweep = defineTask({
  name: TASK.productDeliveriesSweep,
  payload: cronPayload,
  retry: NO_RETRY_POLICY,
  schedule: { identifier: "product-deliveries-sweep", match: "* * * * *", backfillPeriod: 0 },
  async run(_payload, { helpers }) {
    const shops = await queueJobsOfPendingDeliveries();
    if (shops.length > 0) helpers.logger.info(`queued the product deliveries of ${shops.join(", ")}`);
  },
});
