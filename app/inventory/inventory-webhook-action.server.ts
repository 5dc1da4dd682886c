import type { InventoryWebhookTopic } from "./apply-inventory-webhook.server";
import { insertDeliveryReceipt } from "~/webhooks/accept-delivery.server";
import { verifyWebhookWithoutSession } from "~/webhooks/authenticate-webhook.server";
import { DELIVERY_STREAMS, requestDeliveriesJob } from "~/webhooks/pending-deliveries.server";
import { pgPool } from "~/db.server";

/**
 * The action of the inventory_levels/update, connect and disconnect routes, as cheap as the products/* routes': the
 * HMAC is verified (401 otherwise) without loading the shop's session, the delivery is recorded with its payload in
 * one INSERT (a repeated webhook id records nothing), and the shop's coalescing job (`inventory-deliveries`,
 * apply-inventory-deliveries.server.ts) is asked for. The payload is parsed by the job: a malformed one is recorded
 * as such there, never a 500 here. A failure answers 500: a delivery not recorded is processed on Shopify's retry; one
 * recorded whose job could not be queued is found by the retry (a duplicate asks for the job again) or by the sweep.
 */
export async function inventoryWebhookAction(
  request: Request,
  topic: InventoryWebhookTopic = "inventory_levels/update",
): Promise<Response> {
  const { shop, payload, webhookId, eventId, triggeredAt } = await verifyWebhookWithoutSession(request);
  await insertDeliveryReceipt(pgPool(), { webhookId, shop, topic, eventId, triggeredAt }, payload ?? {});
  await requestDeliveriesJob(DELIVERY_STREAMS.inventory, shop);
  return new Response();
}
