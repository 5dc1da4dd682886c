import { z } from "zod";
import { shopDomain } from "~/jobs/shop-jobs";
import { TASK } from "~/jobs/task-names";

// The check of a shop's bulk inventory read (inventory-read-check, app/worker/tasks/inventory-read-check.server.ts):
// queued by the sync that started the read, by its own previous poll, or by the bulk_operations/finish webhook.

/** A shop's reads are checked one at a time (a webhook's check and a poll never apply one file twice at once). */
export const INVENTORY_READ_QUEUE = (shop: string) => `inventory-read:${shop}`;

/**
 * One pending check per operation: the webhook's replaces the pending poll of the same read, and never the check of
 * another read or of the shop's product export (its own key, app/sync/product-job-payloads.server.ts).
 */
export function inventoryReadCheckJob(shop: string, operationId: string) {
  return {
    queueName: INVENTORY_READ_QUEUE(shop),
    jobKey: `${TASK.inventoryReadCheck}:${shop}:${operationId}`,
    jobKeyMode: "replace" as const,
  };
}

export const inventoryReadCheckPayload = z.object({
  shop: shopDomain,
  operationId: z.string().regex(/^\d+$/),
  trigger: z.enum(["webhook", "poll"]).default("poll"),
  poll: z.number().int().min(0).default(0),
});
export type InventoryReadCheckPayload = z.infer<typeof inventoryReadCheckPayload>;

declare module "~/jobs/task-payloads" {
  interface TaskPayloadSchemas {
    [TASK.inventoryReadCheck]: typeof inventoryReadCheckPayload;
  }
}
