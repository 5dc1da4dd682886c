import { pgPool } from "~/db.server";
import type { Queryable } from "~/lib/queryable.server";
import { insertDeliveryReceipt, type WebhookDeliveryInput } from "~/webhooks/accept-delivery.server";

// The accept path of products/* webhooks, as cheap as it can be: Shopify waits 5 s for an answer and retries what is
// slower, so a burst answered slowly comes back doubled. After the HMAC check, a delivery is one INSERT of its receipt
// with its payload (the receipt dedupes: a repeated X-Shopify-Webhook-Id inserts nothing), and the route answers 200.
// The work is the shop's coalescing job (`product-deliveries`, app/sync/apply-product-deliveries.server.ts), which
// reads the pending rows; the job, its key and the sweep are every stream's (app/webhooks/pending-deliveries.server.ts).

export interface ProductDeliveryInput extends WebhookDeliveryInput {
  payload: unknown;
}

/** Records the delivery with its payload; false when its webhook id was already recorded (nothing is written). */
export function recordProductDelivery(input: ProductDeliveryInput, db: Queryable = pgPool()): Promise<boolean> {
  return insertDeliveryReceipt(db, input, input.payload ?? {});
}
