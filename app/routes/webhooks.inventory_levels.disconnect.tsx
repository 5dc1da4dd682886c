import type { ActionFunctionArgs } from "@remix-run/node";
import { inventoryWebhookAction } from "~/inventory/inventory-webhook-action.server";

// inventory_levels/disconnect: verified, deduplicated by webhook id, stored for the shop's inventory-deliveries job (answered at once).
export const action = ({ request }: ActionFunctionArgs) =>
  inventoryWebhookAction(request, "inventory_levels/disconnect");
