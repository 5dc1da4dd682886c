-- Shopify's updated_at has whole seconds: two updates of a product within one second carry the same value, so it
-- cannot say which of their webhooks is newer. X-Shopify-Triggered-At (when Shopify emitted the webhook, to the
-- nanosecond; kept here to the microsecond) can. The product row remembers the one of the webhook that wrote it
-- (NULL when the bulk export wrote it): on an updated_at tie, a later-emitted webhook wins, an earlier one is stale,
-- and the export does not overwrite a webhook emitted after its snapshot began (app/sync/apply-product-webhook.server.ts,
-- app/sync/bulk-export-merge.server.ts).
ALTER TABLE "product" ADD COLUMN "webhook_triggered_at" TIMESTAMPTZ(6);
