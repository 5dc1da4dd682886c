import { pgPool } from "~/db.server";

// Shopify delivers webhooks at least once: the same delivery (X-Shopify-Webhook-Id) can arrive again. The first
// arrival is accepted and recorded; a repeat is answered 200 and otherwise ignored.

export interface WebhookDeliveryInput {
  webhookId: string;
  shop: string;
  topic: string;
  eventId?: string | null;
  triggeredAt?: string | Date | null;
}

/** Records the delivery; true when it is new (process it), false when it was already accepted (ignore it). */
export async function acceptWebhookDelivery(input: WebhookDeliveryInput): Promise<boolean> {
  const triggeredAt = input.triggeredAt ? new Date(input.triggeredAt) : null;
  const { rowCount } = await pgPool().query(
    `INSERT INTO webhook_delivery (webhook_id, shop, topic, event_id, triggered_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (webhook_id) DO NOTHING`,
    [input.webhookId, input.shop, input.topic, input.eventId ?? null, triggeredAt && !Number.isNaN(triggeredAt.getTime()) ? triggeredAt : null],
  );
  return (rowCount ?? 0) > 0;
}
