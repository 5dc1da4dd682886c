import type { ActionFunctionArgs } from "@remix-run/node";
import { redactShopData } from "~/merchants/compliance.server";
import { authenticateWebhook } from "~/webhooks/authenticate-webhook.server";
import { acceptWebhookDelivery } from "~/webhooks/accept-delivery.server";

// shop/redact (compliance, 48 hours after an uninstall): the HMAC is verified (401 otherwise), then the shop's data
// is erased before answering, in the delivery receipt's transaction: a failure is answered 500 and Shopify's retry
// is processed; a repeated delivery is ignored.
export async function action({ request }: ActionFunctionArgs) {
  const { shop, webhookId, eventId, triggeredAt } = await authenticateWebhook(request);
  await acceptWebhookDelivery({ webhookId, shop, topic: "shop/redact", eventId, triggeredAt }, async (client) => {
    await redactShopData(shop, { client, keepWebhookId: webhookId });
  });
  return new Response();
}
