import { applyInventoryWebhook } from "~/inventory/apply-inventory-webhook.server";
import { inventoryWebhookPayload } from "~/inventory/inventory-webhook-payload.server";
import { TASK } from "~/jobs/task-names";
import { defineTask } from "../define-task.server";

// `inventory-webhook`: one inventory_levels/* delivery's job, as the routes queued it before they stored deliveries for
// the shop's coalescing job (`inventory-deliveries`): kept so that jobs queued before that release still run. Not
// keyed: a job key would let a late, older delivery replace a newer one still queued; the apply statement orders them
// by updated_at (and X-Shopify-Triggered-At) instead.

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
