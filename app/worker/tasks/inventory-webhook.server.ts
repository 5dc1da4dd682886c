import { applyInventoryWebhook } from "~/inventory/apply-inventory-webhook.server";
import { inventoryWebhookPayload } from "~/inventory/inventory-webhook-payload.server";
import { TASK } from "~/jobs/task-names";
import { defineTask } from "../define-task.server";

// The job side of `inventory_levels/update`, `connect` and `disconnect`: the route verifies the HMAC, dedupes the
// delivery (X-Shopify-Webhook-Id) and queues this with the topic's payload fields as Shopify sends them. Not keyed: a
// job key would let a late, older delivery replace a newer one still queued; the apply statement orders them by
// updated_at (and X-Shopify-Triggered-At) instead.

export const inventoryWebhook = defineTask({
  name: TASK.inventoryWebhook,
  payload: inventoryWebhookPayload,
  // One inventory level: quick retries; the hourly sync reconciles whatever is still missed.
  retry: { maxAttempts: 3, firstDelayMs: 10_000 },
  async run(payload, { helpers }) {
    const outcome = await applyInventoryWebhook(payload.shop, {
      topic: payload.topic,
      inventoryItemId: payload.inventory_item_id,
      locationId: payload.location_id,
      available: payload.available ?? null,
      updatedAt: payload.updated_at ? new Date(payload.updated_at) : null,
      triggeredAt: payload.triggeredAt ? new Date(payload.triggeredAt) : null,
    });
    helpers.logger.debug(
      outcome.outcome === "applied"
        ? `inventory-webhook ${payload.shop} item ${payload.inventory_item_id}: ${outcome.result.changed} changed, ${outcome.result.stale} stale`
        : `inventory-webhook ${payload.shop} item ${payload.inventory_item_id}: ignored (${outcome.reason})`,
    );
  },
});
