import type { ActionFunctionArgs } from "@remix-run/node";
import { answerCustomerDataRequest } from "~/merchants/compliance.server";
import { authenticateWebhook } from "~/webhooks/authenticate-webhook.server";
import { acceptWebhookDelivery } from "~/webhooks/accept-delivery.server";

// customers/data_request (compliance): authenticateWebhook verifies the HMAC (401 otherwise) before anything else; the answer
// is logged once per delivery (a repeated delivery is ignored).
export async function action({ request }: ActionFunctionArgs) {
  const { shop, payload, webhookId, eventId, triggeredAt } = await authenticateWebhook(request);
  await acceptWebhookDelivery({ webhookId, shop, topic: "customers/data_request", eventId, triggeredAt }, async () => {
    answerCustomerDataRequest(shop, payload);
  });
  return new Response();
}
