import type { ActionFunctionArgs } from "@remix-run/node";
import { deactivateConnection } from "~/merchants/deactivate-connection.server";
import { authenticateWebhook } from "~/webhooks/authenticate-webhook.server";

// app/uninstalled: authenticateWebhook verifies the HMAC (401 otherwise) before anything else runs.
export async function action({ request }: ActionFunctionArgs) {
  const { shop } = await authenticateWebhook(request);
  await deactivateConnection(shop);
  return new Response();
}
