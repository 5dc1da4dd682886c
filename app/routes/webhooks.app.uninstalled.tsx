import type { ActionFunctionArgs } from "@remix-run/node";
import { applyUninstallWebhook } from "~/merchants/apply-uninstall-webhook.server";
import { authenticate } from "~/shopify.server";

// app/uninstalled: authenticate.webhook verifies the HMAC (401 otherwise) before anything else runs. A delivery
// triggered before the current installation (a retry of an older uninstall) is ignored.
export async function action({ request }: ActionFunctionArgs) {
  const { shop, triggeredAt } = await authenticate.webhook(request);
  await applyUninstallWebhook(shop, triggeredAt);
  return new Response();
}
