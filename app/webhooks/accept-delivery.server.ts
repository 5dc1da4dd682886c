import type pg from "pg";
import { withTransaction } from "~/db.server";
import type { Queryable } from "~/lib/queryable.server";

// Shopify delivers webhooks at least once: the same delivery (X-Shopify-Webhook-Id) can arrive again. The first
// arrival is recorded and processed; a repeat is answered 200 and otherwise ignored.
//
// The receipt and the delivery's effect (its job queued with addJobOn, or the work itself) are one transaction. If
// anything fails, the receipt rolls back with it, the route answers 500, and Shopify's retry of the same webhook id
// is processed as new: a delivery is never recorded without its effect. Two arrivals of one delivery at once
// serialise on the receipt's primary key: the second waits for the first to commit, then finds it.

export interface WebhookDeliveryInput {
  webhookId: string;
  shop: string;
  topic: string;
  eventId?: string | null;
  triggeredAt?: string | Date | null;
}

/** What a new delivery does, on the receipt's transaction (queue its job there, or do the work there). */
export type ProcessDelivery = (client: pg.PoolClient) => Promise<void>;

/**
 * Records the delivery and, when it is new, runs `process` in the same transaction; true when it was new,
 * false when it had already been accepted (nothing runs). Throws (and records nothing) if `process` throws.
 */
export async function acceptWebhookDelivery(input: WebhookDeliveryInput, process: ProcessDelivery): Promise<boolean> {
  return withTransaction(async (client) => {
    if (!(await insertDeliveryReceipt(client, input))) return false;
    await process(client);
    return true;
  });
}

/**
 * Inserts the delivery's receipt, with the payload when the receipt is the record of the work (products/*,
 * app/sync/record-product-delivery.server.ts); false when its webhook id was already recorded (nothing is written).
 */
export async function insertDeliveryReceipt(
  db: Queryable,
  input: WebhookDeliveryInput,
  payload?: unknown,
): Promise<boolean> {
  const triggeredAt = input.triggeredAt ? new Date(input.triggeredAt) : null;
  const { rowCount } = await db.query(
    `INSERT INTO webhook_delivery (webhook_id, shop, topic, event_id, triggered_at, payload)
     VALUES ($1, $2, $3, $4, $5, $6::json)
     ON CONFLICT (webhook_id) DO NOTHING`,
    [
      input.webhookId,
      input.shop,
      input.topic,
      input.eventId ?? null,
      triggeredAt && !Number.isNaN(triggeredAt.getTime()) ? triggeredAt : null,
      payload === undefined ? null : JSON.stringify(payload),
    ],
  );
  return (rowCount ?? 0) > 0;
}
