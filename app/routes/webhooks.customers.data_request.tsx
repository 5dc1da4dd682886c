import type { ActionFunctionArgs } from "@remix-run/node";
import { answerCustomerDataRequest } from "~/merchants/compliance.server";
import { authenticate } from "~/shopify.server";

// customers/data_request (compliance): authenticate.webhook verifies the HMAC (401 otherwise) before anything else.
export async function action({ request }: ActionFunctionArgs) {
  const { shop, payload } = await authenticate.webhook(request);
  answerCustomerDataRequest(shop, payload);
  return new Response();
}
