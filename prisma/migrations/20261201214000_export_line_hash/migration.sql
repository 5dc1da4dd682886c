-- The daily product sync re-reads every product and variant of a shop, and on most days almost none changed. To
-- recognise an unchanged line without staging and comparing it in SQL, each row keeps a hash of the export line it
-- was last merged from (app/sync/export-line-hash.ts: 53 bits of the line's text, so it fits a JS number). The
-- ingest reads the shop's hashes first and stages only the id of a line whose hash it already holds.
-- NULL: the row was not written by the ingest, or something else changed it since (see the triggers below).
ALTER TABLE "product" ADD COLUMN "export_hash" BIGINT;
ALTER TABLE "product_variant" ADD COLUMN "export_hash" BIGINT;

-- The hash may only stand for the row's content while that content is still the line's. Any other writer (the
-- products/* webhooks, the integrity check's repairs, a future path) that changes a column the line supplies
-- without setting a new hash clears it, here, in one place, rather than in every writer. Only UPDATEs naming one of
-- those columns fire it: the inventory paths' stock updates (available_quantity) never do, and stay HOT.
-- deleted_at and listed are not in the hash: the ingest reads hashes only of rows not deleted and listed as the
-- selection says (app/sync/bulk-export-staging.server.ts).
CREATE FUNCTION clear_export_hash() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.export_hash := NULL;
  RETURN NEW;
END
$$;

CREATE TRIGGER product_export_hash_stale
  BEFORE UPDATE OF title, handle, vendor, product_type, status, tags, shopify_updated_at ON "product"
  FOR EACH ROW
  WHEN (OLD.export_hash IS NOT NULL AND NEW.export_hash IS NOT DISTINCT FROM OLD.export_hash
        AND (OLD.title, OLD.handle, OLD.vendor, OLD.product_type, OLD.status, OLD.tags, OLD.shopify_updated_at)
            IS DISTINCT FROM
            (NEW.title, NEW.handle, NEW.vendor, NEW.product_type, NEW.status, NEW.tags, NEW.shopify_updated_at))
  EXECUTE FUNCTION clear_export_hash();

CREATE TRIGGER product_variant_export_hash_stale
  BEFORE UPDATE OF product_id, title, sku, price, compare_at_price, inventory_item_id, inventory_tracked,
                   inventory_policy, shopify_updated_at ON "product_variant"
  FOR EACH ROW
  WHEN (OLD.export_hash IS NOT NULL AND NEW.export_hash IS NOT DISTINCT FROM OLD.export_hash
        AND (OLD.product_id, OLD.title, OLD.sku, OLD.price, OLD.compare_at_price, OLD.inventory_item_id,
             OLD.inventory_tracked, OLD.inventory_policy, OLD.shopify_updated_at)
            IS DISTINCT FROM
            (NEW.product_id, NEW.title, NEW.sku, NEW.price, NEW.compare_at_price, NEW.inventory_item_id,
             NEW.inventory_tracked, NEW.inventory_policy, NEW.shopify_updated_at))
  EXECUTE FUNCTION clear_export_hash();
