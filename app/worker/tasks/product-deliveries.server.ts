import { recordSyncEvent } from "~/analytics/record-sync-event.server";
import { applyPendingProductDeliveries } from "~/sync/apply-product-deliveries.server";
import { DELIVERY_STREAMS, queueDeliveriesJob, shopDeliveriesPayload } from "~/webhooks/pending-deliveries.server";
import { TASK } from "~/jobs/task-names";
import { defineTask } from "../define-task.server";

// `product-deliveries` {shop}: one batch of the shop's pending products/* deliveries, coalesced per product
// (app/sync/apply-product-deliveries.server.ts), and one WEBHOOK sync event for it (`stream: "products"`). A full
// batch queues the next one first (same job key), so another worker slot starts on it while this one applies.
export const productDeliveries = defineTask({
  name: TASK.productDeliveries,
  payload: shopDeliveriesPayload,
  retry: { maxAttempts: 5, firstDelayMs: 10_000 },
  async run({ shop }) {
    const started = Date.now();
    const result = await applyPendingProductDeliveries(shop, {
      onFullBatch: () => queueDeliveriesJob(DELIVERY_STREAMS.products, shop),
    });
    if (result.deliveries === 0 || result.outcomes["unknown-shop"] === result.deliveries) return;
    await recordSyncEvent({
      shop,
      eventType: "WEBHOOK",
      status: "SUCCESS",
      itemCount: result.productsWritten + result.variantsWritten,
      processingTimeMs: Date.now() - started,
      metadata: { stream: DELIVERY_STREAMS.products.resource, ...result },
    });
  },
});
