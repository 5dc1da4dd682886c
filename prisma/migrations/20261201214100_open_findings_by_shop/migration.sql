-- Catalog health (the merchants page, one merchant's page) counts each shop's open findings: FLAGGED and not
-- resolved. The only index it could use was (outcome, resolved_at), which holds no shop: a page of 50 merchants
-- visited every open finding of the marketplace in the heap and dropped the other shops' (EXPLAIN on the admin-lists
-- bench: 28,571 read, 21,429 thrown away, 3,508 heap pages). This one holds just the open findings, by shop, so the
-- count is an index-only scan of the page's shops.
CREATE INDEX "integrity_finding_open_flagged_shop_idx" ON "integrity_finding"("shop")
  WHERE "outcome" = 'FLAGGED' AND "resolved_at" IS NULL;
