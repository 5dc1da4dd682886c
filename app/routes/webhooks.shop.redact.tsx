import type { ActionFunctionArgs } from "@remix-run/node";
import { redactShopData } from "~/merchants/compliance.server";
import { authenticateWebhook } from "~/webhooks/authenticate-webhook.server";

// shop/redact (compliance, 48 hours after an uninstall): the HMAC is verified (401 otherwise), then the shop's data
// is erased before answering, so a failure is answered 500 and Shopify retries.
export async function action({ request }: ActionFunctionArgs) {
  const { shop } = await authenticateWebhook(request);
  await redactShopData(shop);
  return new Response();
}
