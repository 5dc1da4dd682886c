import type { ProductWebhookTopic } from "./apply-product-webhook.server";
import { recordProductDelivery } from "./record-product-delivery.server";
import { verifyWebhookWithoutSession } from "~/webhooks/authenticate-webhook.server";
import { DELIVERY_STREAMS, requestDeliveriesJob } from "~/webhooks/pending-deliveries.server";

/**
 * The action of the products/create, products/update and products/delete routes: the HMAC is verified (401
 * otherwise) without loading the shop's session, which nothing here needs, the delivery is recorded with its payload (a repeated webhook id records nothing), and the
 * shop's coalescing job is asked for (app/webhooks/pending-deliveries.server.ts). A failure answers 500: a delivery
 * not recorded is processed on Shopify's retry; one recorded whose job could not be queued is found by the retry (a
 * duplicate asks for the job again) or by the sweep.
 */
export async function productWebhookAction(request: Request, topic: ProductWebhookTopic): Promise<Response> {
  const { shop, payload, webhookId, eventId, triggeredAt } = await verifyWebhookWithoutSession(request);
  await recordProductDelivery({ webhookId, shop, topic, eventId, triggeredAt, payload });
  await requestDeliveriesJob(DELIVERY_STREAMS.products, shop);
  return new Response();
}
