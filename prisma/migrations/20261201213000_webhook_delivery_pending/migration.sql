-- products/* deliveries are applied by one job per shop that coalesces a burst (app/sync/apply-product-deliveries.server.ts)
-- instead of one job per delivery. The accept path stores the delivery's payload with its receipt, in one INSERT;
-- the job reads the shop's pending rows, applies the newest state per product, and clears the payload and sets
-- applied_at and outcome in the same transaction as the apply. A row with a payload is pending: a process that dies
-- between accept and apply leaves it there, and the sweep (every minute) queues its shop's job again.
-- JSON, not JSONB: the payload is kept as Shopify sent it, and JSONB cannot hold a \u0000 escape, which a payload may
-- carry (in body_html, harmlessly; in a stored field it makes the delivery malformed, reported by the job, never a 500).
ALTER TABLE "webhook_delivery" ADD COLUMN "payload" JSON,
  ADD COLUMN "applied_at" TIMESTAMPTZ(3),
  ADD COLUMN "outcome" TEXT;

-- Only pending rows: the job's claim and the sweep read a shop's pending deliveries in arrival order.
CREATE INDEX "webhook_delivery_pending_idx" ON "webhook_delivery" ("shop", "received_at") WHERE "payload" IS NOT NULL;
