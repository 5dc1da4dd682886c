import type { ActionFunctionArgs } from "@remix-run/node";
import { redactCustomer } from "~/merchants/compliance.server";
import { authenticateWebhook } from "~/webhooks/authenticate-webhook.server";

// customers/redact (compliance): authenticateWebhook verifies the HMAC (401 otherwise) before anything else.
export async function action({ request }: ActionFunctionArgs) {
  const { shop, payload } = await authenticateWebhook(request);
  redactCustomer(shop, payload);
  return new Response();
}
