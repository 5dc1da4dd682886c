import type { ActionFunctionArgs } from "@remix-run/node";
import { productWebhookAction } from "~/sync/product-webhook-action.server";

// products/update: verified, deduplicated by webhook id, stored for the shop's product-deliveries job (answered at once).
export const action = ({ request }: ActionFunctionArgs) => productWebhookAction(request, "products/update");
