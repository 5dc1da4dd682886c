import type { ActionFunctionArgs } from "@remix-run/node";
import { inventoryWebhookAction } from "~/inventory/inventory-webhook-action.server";

// inventory_levels/disconnect: verified, deduplicated by webhook id, queued as an inventory-webhook job (answered at once).
export const action = ({ request }: ActionFunctionArgs) =>
  inventoryWebhookAction(request, "inventory_levels/disconnect");
