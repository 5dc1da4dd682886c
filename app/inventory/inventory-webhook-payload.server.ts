import { z } from "zod";
import { shopDomain } from "~/jobs/shop-jobs";
import type { TASK } from "~/jobs/task-names";
import {
  INVENTORY_WEBHOOK_TOPICS,
  type InventoryWebhookLevel,
  type InventoryWebhookTopic,
} from "./apply-inventory-webhook.server";

// An inventory_levels/* delivery's fields as Shopify sends them: stored with the receipt by the routes
// (inventory-webhook-action.server.ts) and parsed by the shop's coalescing job (parseInventoryDelivery,
// apply-inventory-deliveries.server.ts); and the inventory-webhook job's payload (app/worker/tasks/inventory-webhook.server.ts),
// which the routes queued per delivery before, kept for the jobs queued then. A value the columns cannot hold (an id
// beyond bigint, a quantity beyond int) does not parse: the delivery is malformed, never a failing statement.

const BIGINT_MAX = 2n ** 63n - 1n;
const shopifyId = z
  .union([z.number().int().positive(), z.string().regex(/^\d+$/)])
  .transform((v) => BigInt(v))
  .refine((v) => v <= BIGINT_MAX, "beyond a 64-bit id");
const quantity = z
  .number()
  .int()
  .min(-(2 ** 31))
  .max(2 ** 31 - 1);
const level = {
  inventory_item_id: shopifyId,
  location_id: shopifyId,
  // A disconnect carries neither; Shopify sends available null for an item it does not track.
  available: quantity.nullish(),
  updated_at: z.string().datetime({ offset: true }).nullish(),
};
const needsQuantityAndTime = (p: { topic: InventoryWebhookTopic; available?: unknown; updated_at?: unknown }) =>
  p.topic === "inventory_levels/disconnect" || (p.updated_at != null && p.available !== undefined);
const NEEDS_QUANTITY_AND_TIME = "an inventory level update or connect needs available and updated_at";

const storedDelivery = z
  .object({ topic: z.enum(INVENTORY_WEBHOOK_TOPICS), ...level })
  .refine(needsQuantityAndTime, { message: NEEDS_QUANTITY_AND_TIME });

/** A stored delivery's level (its topic and X-Shopify-Triggered-At from the receipt); throws a ZodError when malformed. */
export function parseInventoryDelivery(
  topic: string,
  payload: unknown,
  triggeredAt: Date | null,
): InventoryWebhookLevel & { topic: InventoryWebhookTopic } {
  const p = storedDelivery.parse({ ...(payload as object), topic });
  return {
    topic: p.topic,
    inventoryItemId: p.inventory_item_id,
    locationId: p.location_id,
    available: p.available ?? null,
    updatedAt: p.updated_at ? new Date(p.updated_at) : null,
    triggeredAt,
  };
}

export const inventoryWebhookPayload = z
  .object({
    shop: shopDomain,
    topic: z.enum(INVENTORY_WEBHOOK_TOPICS).default("inventory_levels/update"),
    ...level,
    triggeredAt: z.string().datetime({ offset: true }).nullish(),
    webhookId: z.string().optional(),
  })
  .refine(needsQuantityAndTime, { message: NEEDS_QUANTITY_AND_TIME });
export type InventoryWebhookPayload = z.input<typeof inventoryWebhookPayload>;

declare module "~/jobs/task-payloads" {
  interface TaskPayloadSchemas {
    [TASK.inventoryWebhook]: typeof inventoryWebhookPayload;
  }
}
