import type { ActionFunctionArgs } from "@remix-run/node";
import { applyUninstallWebhook } from "~/merchants/apply-uninstall-webhook.server";
import { acceptWebhookDelivery } from "~/webhooks/accept-delivery.server";
import { authenticateWebhook } from "~/webhooks/authenticate-webhook.server";

// app/uninstalled: authenticateWebhook verifies the HMAC (401 otherwise) before anything else runs. A repeated
// delivery is ignored, and so is one triggered before the current installation (a retry of an older uninstall
// arriving after a reinstall); a new one deactivates the connection in the receipt's transaction, so a failure
// answers 500 and Shopify's retry is processed.
export async function action({ request }: ActionFunctionArgs) {
  const { shop, webhookId, eventId, triggeredAt } = await authenticateWebhook(request);
  await acceptWebhookDelivery({ webhookId, shop, topic: "app/uninstalled", eventId, triggeredAt }, async (client) => {
    await applyUninstallWebhook(shop, triggeredAt, new Date(), client);
  });
  return new Response();
}
