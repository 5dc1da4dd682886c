import { pgPool } from "~/db.server";
import type { Queryable } from "~/lib/queryable.server";

// A delivery receipt is needed only while Shopify may send that delivery again: Shopify retries a failed webhook
// 8 times over 4 hours ("Updates to webhook retry mechanism", shopify.dev changelog, 2024-09-10), and deliveries
// have been seen up to a day late. Receipts are kept three days, well past both, and pruned daily (cron), in
// short batches like the sync events (app/analytics/retention.server.ts).
export const WEBHOOK_RECEIPT_RETENTION_MS = 3 * 24 * 60 * 60 * 1000;

export interface PruneDeliveriesOptions {
  now?: Date;
  batchSize?: number;
  db?: Queryable;
}

export async function pruneWebhookDeliveries(
  options: PruneDeliveriesOptions = {},
): Promise<{ cutoff: Date; deleted: number }> {
  const now = options.now ?? new Date();
  const batchSize = options.batchSize ?? 10_000;
  const db = options.db ?? pgPool();
  const cutoff = new Date(now.getTime() - WEBHOOK_RECEIPT_RETENTION_MS);
  let deleted = 0;
  for (;;) {
    // Along the received_at index; SKIP LOCKED lets two workers' runs split the work. A delivery still pending (its
    // payload not yet applied, app/sync/apply-product-deliveries.server.ts) is kept whatever its age.
    const { rowCount } = await db.query(
      `DELETE FROM webhook_delivery w USING (
         SELECT webhook_id FROM webhook_delivery WHERE received_at < $1 AND payload IS NULL ORDER BY received_at LIMIT $2 FOR UPDATE SKIP LOCKED
       ) doomed WHERE w.webhook_id = doomed.webhook_id`,
      [cutoff, batchSize],
    );
    deleted += rowCount ?? 0;
    if ((rowCount ?? 0) < batchSize) return { cutoff, deleted };
  }
}
