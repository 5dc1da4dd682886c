import type { ActionFunctionArgs } from "@remix-run/node";
import { answerCustomerDataRequest } from "~/merchants/compliance.server";
import { authenticateWebhook } from "~/webhooks/authenticate-webhook.server";

// customers/data_request (compliance): authenticateWebhook verifies the HMAC (401 otherwise) before anything else.
export async function action({ request }: ActionFunctionArgs) {
  const { shop, payload } = await authenticateWebhook(request);
  answerCustomerDataRequest(shop, payload);
  return new Response();
}
