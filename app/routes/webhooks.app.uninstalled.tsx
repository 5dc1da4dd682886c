import type { ActionFunctionArgs } from "@remix-run/node";
import { deactivateConnection } from "~/merchants/deactivate-connection.server";
import { authenticateWebhook } from "~/webhooks/authenticate-webhook.server";
import { acceptWebhookDelivery } from "~/webhooks/accept-delivery.server";

// app/uninstalled: authenticateWebhook verifies the HMAC (401 otherwise) before anything else runs. A repeated
// delivery is ignored (a retry arriving after a reinstall must not uninstall the shop again); a new one deactivates
// the connection in the receipt's transaction, so a failure answers 500 and Shopify's retry is processed.
export async function action({ request }: ActionFunctionArgs) {
  const { shop, webhookId, eventId, triggeredAt } = await authenticateWebhook(request);
  await acceptWebhookDelivery({ webhookId, shop, topic: "app/uninstalled", eventId, triggeredAt }, (client) =>
    deactivateConnection(shop, new Date(), client),
  );
  return new Response();
}
