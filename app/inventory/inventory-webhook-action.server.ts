import { enqueue } from "~/jobs/queue.server";
import { TASK } from "~/jobs/task-names";
import type { InventoryWebhookPayload } from "./inventory-webhook-payload.server";
import type { InventoryWebhookTopic } from "./apply-inventory-webhook.server";
import { acceptWebhookDelivery } from "~/webhooks/accept-delivery.server";
import { authenticateWebhook } from "~/webhooks/authenticate-webhook.server";

/**
 * The action of the inventory_levels/update, connect and disconnect routes: authenticateWebhook verifies the HMAC
 * (401 otherwise), a repeated delivery (same webhook id) is ignored, anything else becomes an inventory-webhook job,
 * queued in the receipt's transaction (a failure answers 500 and Shopify's retry is processed); Shopify gets its 200
 * at once.
 */
export async function inventoryWebhookAction(
  request: Request,
  topic: InventoryWebhookTopic = "inventory_levels/update",
): Promise<Response> {
  const { shop, payload, webhookId, eventId, triggeredAt } = await authenticateWebhook(request);
  await acceptWebhookDelivery({ webhookId, shop, topic, eventId, triggeredAt }, async (client) => {
    const level = payload as Record<string, unknown>;
    const job: InventoryWebhookPayload = {
      shop,
      topic,
      triggeredAt: triggeredAt ?? null,
      inventory_item_id: level.inventory_item_id as number,
      location_id: level.location_id as number,
      available: (level.available ?? null) as number | null,
      updated_at: (level.updated_at ?? null) as string | null,
      webhookId,
    };
    // Validated by the task (a malformed payload fails there for good, visible on the jobs page).
    await enqueue(TASK.inventoryWebhook, job, { on: client });
  });
  return new Response();
}
