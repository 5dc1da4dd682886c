-- inventory_levels/* deliveries are stored with their payload too and applied by their own coalescing job per shop
-- (app/inventory/apply-inventory-deliveries.server.ts), beside the products/* one. A stream is the topic's resource,
-- the part before the slash (DELIVERY_STREAMS, app/webhooks/pending-deliveries.server.ts): each job claims its
-- stream's pending rows in arrival order, so the pending index leads with the shop and that expression. On
-- (shop, received_at) alone, a products/* claim would read past every pending inventory delivery of the shop.
DROP INDEX "webhook_delivery_pending_idx";
CREATE INDEX "webhook_delivery_pending_idx" ON "webhook_delivery" ("shop", split_part("topic", '/', 1), "received_at")
  WHERE "payload" IS NOT NULL;
