import { describe, expect, it } from "vitest";
import { getCatalogHealth } from "../../app/analytics/catalog-health.server";
import { pruneSyncEvents } from "../../app/analytics/retention.server";
import { pgPool } from "../../app/db.server";

const NOW = new Date("2026-11-20T04:00:00Z");
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000);

describe("pruneSyncEvents", () => {
  it("deletes, in batches, exactly the events older than the retention period", async () => {
    const ages = [200, 120, 91, 90.0001, 90.00001, 89.999, 30, 0];
    await pgPool().query(
      `INSERT INTO sync_event (shop, event_type, status, created_at)
       SELECT 'prune.myshopify.com', 'WEBHOOK', 'SUCCESS', at FROM unnest($1::timestamptz[]) AS at`,
      [ages.map(daysAgo)],
    );
    const result = await pruneSyncEvents({ now: NOW, retentionDays: 90, batchSize: 2 });
    expect(result).toEqual({ cutoff: daysAgo(90), deleted: 5, batches: 3 });
    const { rows } = await pgPool().query<{ created_at: Date }>(
      `SELECT created_at FROM sync_event WHERE shop = 'prune.myshopify.com' ORDER BY created_at`,
    );
    expect(rows.map((r) => r.created_at)).toEqual([daysAgo(89.999), daysAgo(30), daysAgo(0)]);
    expect(await pruneSyncEvents({ now: NOW, retentionDays: 90 })).toMatchObject({ deleted: 0, batches: 1 });
  });

  it("stops after maxBatches and leaves the rest for the next run", async () => {
    await pgPool().query(
      `INSERT INTO sync_event (shop, event_type, status, created_at)
       SELECT 'cap.myshopify.com', 'WEBHOOK', 'SUCCESS', $1::timestamptz - make_interval(secs => g) FROM generate_series(1, 10) g`,
      [daysAgo(100)],
    );
    expect(await pruneSyncEvents({ now: NOW, retentionDays: 90, batchSize: 3, maxBatches: 2 })).toMatchObject({
      deleted: 6,
      batches: 2,
    });
    expect(await pruneSyncEvents({ now: NOW, retentionDays: 90, batchSize: 3 })).toMatchObject({ deleted: 4 });
  });
});

describe("getCatalogHealth", () => {
  it("counts listed products, out-of-stock variants of listed products, open findings and alerts per merchant", async () => {
    const db = pgPool();
    await db.query(
      `INSERT INTO merchant_connection (shop, merchant_id, approval_status, last_product_sync_at, updated_at)
       VALUES ('h1.myshopify.com', 'm1', 'APPROVED', $1, now()), ('h2.myshopify.com', 'm2', 'PENDING', NULL, now())`,
      [daysAgo(1)],
    );
    await db.query(
      `INSERT INTO product (shop, id, listed, deleted_at) VALUES
         ('h1.myshopify.com', 1, true, NULL), ('h1.myshopify.com', 2, true, NULL),
         ('h1.myshopify.com', 3, false, NULL), ('h1.myshopify.com', 4, true, now())`,
    );
    await db.query(
      `INSERT INTO product_variant (shop, id, product_id, available_quantity, deleted_at) VALUES
         ('h1.myshopify.com', 11, 1, 5, NULL),    -- listed, in stock
         ('h1.myshopify.com', 12, 1, 0, NULL),    -- listed, out of stock
         ('h1.myshopify.com', 21, 2, -2, NULL),   -- listed, oversold
         ('h1.myshopify.com', 22, 2, NULL, NULL), -- listed, untracked: not counted as out of stock
         ('h1.myshopify.com', 23, 2, 0, now()),   -- deleted
         ('h1.myshopify.com', 31, 3, 0, NULL),    -- product not listed
         ('h1.myshopify.com', 41, 4, 0, NULL)     -- product deleted`,
    );
    await db.query(
      `INSERT INTO integrity_finding (run_id, shop, "check", entity_type, outcome, resolved_at) VALUES
         ('r1', 'h1.myshopify.com', 'missing_price', 'variant', 'FLAGGED', NULL),
         ('r1', 'h1.myshopify.com', 'missing_price', 'variant', 'FLAGGED', now()),
         ('r1', 'h1.myshopify.com', 'orphaned_variant', 'variant', 'FIXED', NULL)`,
    );
    await db.query(
      `INSERT INTO alert (type, severity, shop, dedupe_key, title, status) VALUES
         ('SYNC_FAILURE', 'CRITICAL', 'h1.myshopify.com', 'k1', 't', 'OPEN'),
         ('SYNC_STALE', 'WARNING', 'h1.myshopify.com', 'k2', 't', 'ACKNOWLEDGED'),
         ('SYNC_FAILURE', 'CRITICAL', 'h1.myshopify.com', 'k3', 't', 'RESOLVED')`,
    );

    const all = await getCatalogHealth();
    expect(all.map((h) => h.shop)).toEqual(["h1.myshopify.com", "h2.myshopify.com"]);
    expect(all[0]).toMatchObject({
      approvalStatus: "APPROVED",
      products: 3,
      productsListed: 2,
      variantsListed: 4,
      variantsOutOfStock: 2,
      openFindings: 1,
      openAlerts: 2,
      lastProductSyncAt: daysAgo(1),
      lastInventorySyncAt: null,
    });
    expect(all[1]).toMatchObject({
      products: 0,
      productsListed: 0,
      variantsOutOfStock: 0,
      openFindings: 0,
      openAlerts: 0,
    });
    expect(await getCatalogHealth({ shops: ["h2.myshopify.com"] })).toEqual([all[1]]);
  });
});
