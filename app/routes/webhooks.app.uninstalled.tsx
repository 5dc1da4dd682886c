import type { ActionFunctionArgs } from "@remix-run/node";
import { deactivateConnection } from "~/merchants/deactivate-connection.server";
import { authenticate } from "~/shopify.server";

// app/uninstalled: authenticate.webhook verifies the HMAC (401 otherwise) before anything else runs.
export async function action({ request }: ActionFunctionArgs) {
  const { shop } = await authenticate.webhook(request);
  await deactivateConnection(shop);
  return new Response();
}
