import { acceptWebhookDelivery } from "~/webhooks/accept-delivery.server";
import type { ProductWebhookTopic } from "./apply-product-webhook.server";
import { enqueueProductWebhook } from "./enqueue-product-webhook.server";
import { authenticateWebhook } from "~/webhooks/authenticate-webhook.server";

/**
 * The action of the products/create, products/update and products/delete routes: authenticateWebhook verifies
 * the HMAC (401 otherwise), a repeated delivery (same webhook id) is ignored, anything else becomes a job, queued
 * in the receipt's transaction (a failure answers 500 and Shopify's retry is processed).
 */
export async function productWebhookAction(request: Request, topic: ProductWebhookTopic): Promise<Response> {
  const { shop, payload, webhookId, eventId, triggeredAt } = await authenticateWebhook(request);
  await acceptWebhookDelivery({ webhookId, shop, topic, eventId, triggeredAt }, async (client) => {
    await enqueueProductWebhook(
      { shop, topic, webhookId, triggeredAt: triggeredAt ?? null, payload: payload as Record<string, unknown> },
      client,
    );
  });
  return new Response();
}
