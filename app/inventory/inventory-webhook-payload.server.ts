import { z } from "zod";
import { shopDomain } from "~/jobs/shop-jobs";
import type { TASK } from "~/jobs/task-names";
import { INVENTORY_WEBHOOK_TOPICS } from "./apply-inventory-webhook.server";

// The inventory-webhook job's payload (its task: app/worker/tasks/inventory-webhook.server.ts): the topic's fields as
// Shopify sends them, queued by the inventory webhook routes (inventory-webhook-action.server.ts).

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

declare module "~/jobs/task-payloads" {
  interface TaskPayloadSchemas {
    [TASK.inventoryWebhook]: typeof inventoryWebhookPayload;
  }
}
