import { recordSyncEvent } from "~/analytics/record-sync-event.server";
import { applyPendingInventoryDeliveries } from "~/inventory/apply-inventory-deliveries.server";
import { DELIVERY_STREAMS, queueDeliveriesJob, shopDeliveriesPayload } from "~/webhooks/pending-deliveries.server";
import { TASK } from "~/jobs/task-names";
import { defineTask } from "../define-task.server";

// `inventory-deliveries` {shop}: one batch of the shop's pending inventory_levels/* deliveries, coalesced per level
// (app/inventory/apply-inventory-deliveries.server.ts), and one WEBHOOK sync event for it (`stream: "inventory_levels"`).
// A full batch queues the next one first (same job key), so another worker slot starts on it while this one applies.
export const inventoryDeliveries = defineTask({
  name: TASK.inventoryDeliveries,
  payload: shopDeliveriesPayload,
  retry: { maxAttempts: 5, firstDelayMs: 10_000 },
  async run({ shop }) {
    const started = Date.now();
    const result = await applyPendingInventoryDeliveries(shop, {
      onFullBatch: () => queueDeliveriesJob(DELIVERY_STREAMS.inventory, shop),
    });
    if (result.deliveries === 0 || result.outcomes["unknown-shop"] === result.deliveries) return;
    await recordSyncEvent({
      shop,
      eventType: "WEBHOOK",
      status: "SUCCESS",
      itemCount: result.levelsWritten,
      processingTimeMs: Date.now() - started,
      metadata: { stream: DELIVERY_STREAMS.inventory.resource, ...result },
    });
  },
});
