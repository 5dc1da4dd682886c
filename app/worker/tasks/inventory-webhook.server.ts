import { z } from "zod";
import { applyInventoryWebhook, INVENTORY_WEBHOOK_TOPICS } from "~/inventory/apply-inventory-webhook.server";
import { defineTask } from "../define-task.server";
import { shopDomain } from "~/jobs/shop-jobs";
import { TASK } from "~/jobs/task-names";

// The job side of `inventory_levels/update`, `connect` and `disconnect`: the route verifies the HMAC, dedupes the
// delivery (X-Shopify-Webhook-Id) and queues this with the topic's payload fields as Shopify sends them. Not keyed: a
// job key would let a late, older delivery replace a newer one still queued; the apply statement orders them by
// updated_at (and X-Shopify-Triggered-At) instead.

const shopifyId = z.union([z.number().int().positive(), z.string().regex(/^\d+$/)]).transform((v) => BigInt(v));

export const inventoryWebhookPayload = z
  .object({
    shop: shopDomain,
    topic: z.enum(INVENTORY_WEBHOOK_TOPICS).default("inventory_levels/update"),
    inventory_item_id: shopifyId,
    location_id: shopifyId,
    // A disconnect carries neither.
    available: z.number().int().nullish(),
    updated_at: z.string().datetime({ offset: true }).nullish(),
    triggeredAt: z.string().datetime({ offset: true }).nullish(),
    webhookId: z.string().optional(),
  })
  .refine((p) => p.topic === "inventory_levels/disconnect" || (p.updated_at != null && p.available !== undefined), {
    message: "an inventory level update or connect needs available and updated_at",
  });
export type InventoryWebhookPayload = z.input<typeof inventoryWebhookPayload>;

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
