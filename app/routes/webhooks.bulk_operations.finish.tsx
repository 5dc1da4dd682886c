import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { enqueueExportCheckFromWebhook } from "~/sync/enqueue-export-check.server";
import { acceptWebhookDelivery } from "~/webhooks/accept-delivery.server";
import { authenticateWebhook } from "~/webhooks/authenticate-webhook.server";

// bulk_operations/finish: authenticateWebhook verifies the HMAC (401 otherwise); a repeated delivery is ignored;
// otherwise a check of the operation is queued, in the receipt's transaction, and Shopify gets its 200 at once.
const finishPayload = z.object({ admin_graphql_api_id: z.string().regex(/\/BulkOperation\/\d+$/) });

export async function action({ request }: ActionFunctionArgs) {
  const { shop, topic, payload, webhookId, eventId, triggeredAt } = await authenticateWebhook(request);
  const parsed = finishPayload.safeParse(payload);
  if (!parsed.success) return new Response("Unexpected payload", { status: 400 });
  await acceptWebhookDelivery({ webhookId, shop, topic, eventId, triggeredAt }, async (client) => {
    await enqueueExportCheckFromWebhook(shop, parsed.data.admin_graphql_api_id, client);
  });
  return new Response();
}
