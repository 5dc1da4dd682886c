import { z } from "zod";
import { applyInventoryWebhook } from "~/inventory/apply-inventory-webhook.server";
import { defineTask } from "../define-task.server";
import { shopDomain } from "../shop-jobs";
import { TASK } from "../task-names";

// The job side of `inventory_levels/update`: the route verifies the HMAC, dedupes the delivery (X-Shopify-Webhook-Id)
// and queues this with the topic's payload fields as Shopify sends them. Not keyed: a job key would let a late,
// older delivery replace a newer one still queued; the apply statement orders them by updated_at instead.

const shopifyId = z.union([z.number().int().positive(), z.string().regex(/^\d+$/)]).transform((v) => BigInt(v));

export const inventoryWebhookPayload = z.object({
  shop: shopDomain,
  inventory_item_id: shopifyId,
  location_id: shopifyId,
  available: z.number().int().nullable(),
  updated_at: z.string().datetime({ offset: true }),
  webhookId: z.string().optional(),
});
export type InventoryWebhookPayload = z.input<typeof inventoryWebhookPayload>;

export const inventoryWebhook = defineTask({
  name: TASK.inventoryWebhook,
  payload: inventoryWebhookPayload,
  async run(payload, { helpers }) {
    const outcome = await applyInventoryWebhook(payload.shop, {
      inventoryItemId: payload.inventory_item_id,
      locationId: payload.location_id,
      available: payload.available,
      updatedAt: new Date(payload.updated_at),
    });
    helpers.logger.debug(
      outcome.outcome === "applied"
        ? `inventory-webhook ${payload.shop} item ${payload.inventory_item_id}: ${outcome.result.changed} changed, ${outcome.result.stale} stale`
        : `inventory-webhook ${payload.shop} item ${payload.inventory_item_id}: ignored (${outcome.reason})`,
    );
  },
});
