import type { ActionFunctionArgs } from "@remix-run/node";
import { redactCustomer } from "~/merchants/compliance.server";
import { authenticate } from "~/shopify.server";

// customers/redact (compliance): authenticate.webhook verifies the HMAC (401 otherwise) before anything else.
export async function action({ request }: ActionFunctionArgs) {
  const { shop, payload } = await authenticate.webhook(request);
  redactCustomer(shop, payload);
  return new Response();
}
