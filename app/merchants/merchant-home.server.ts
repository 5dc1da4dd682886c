import { lastFinishedProductSync, productSyncsInProgress } from "~/sync/product-sync-progress.server";
import { pgPool, prisma } from "~/db.server";
import { SYNC_KIND_EVENT_TYPES } from "~/jobs/sync-kinds";
import { latestSyncEvents } from "~/monitoring/list-sync-events.server";
import { getConnectionStatus } from "./connection-status.server";
import { nextManualSyncAt } from "./manual-sync.server";

// Everything the merchant's home page shows, for ONE shop: the caller passes the shop of the verified Shopify
// session, and every query below is filtered by it.

const RECENT_EVENTS = 15;
const FINDINGS_SHOWN = 50;

export interface FindingForMerchant {
  id: string;
  check: string;
  message: string | null;
  productTitle: string | null;
  variantTitle: string | null;
  /** The product in the merchant's Shopify admin, where they can fix it (null when the product is unknown). */
  fixUrl: string | null;
  createdAt: Date;
}

/** https://admin.shopify.com/store/<handle>/products/<id>: the admin URL of a product of a myshopify.com shop. */
export function shopifyAdminProductUrl(shop: string, productId: string): string {
  return `https://admin.shopify.com/store/${shop.replace(/\.myshopify\.com$/, "")}/products/${productId}`;
}

export async function loadMerchantHome(shop: string, now: Date = new Date()) {
  const [status, listed, lastSyncs, events, findings, manual, syncsRunning, lastProductSync] = await Promise.all([
    getConnectionStatus(shop),
    prisma.product.count({ where: { shop, listed: true, deletedAt: null } }),
    // The latest run of each kind, whatever its outcome (the connection's last_*_sync_at only move on success).
    pgPool().query<{
      eventType: string;
      status: string;
      createdAt: Date;
      errorMessage: string | null;
      itemCount: number | null;
    }>(
      `SELECT DISTINCT ON (event_type) event_type AS "eventType", status, created_at AS "createdAt",
              error_message AS "errorMessage", item_count AS "itemCount"
         FROM sync_event WHERE shop = $1 AND event_type::text = ANY($2::text[])
        ORDER BY event_type, created_at DESC, id DESC`,
      [shop, SYNC_KIND_EVENT_TYPES], // the sync kinds' event types (app/jobs/sync-kinds.ts)
    ),
    latestSyncEvents({ shop }, RECENT_EVENTS),
    // Flagged findings are the ones only a person can fix; a variant's product comes from the variant row, or from
    // the evidence the check recorded when the variant is gone.
    pgPool().query<Omit<FindingForMerchant, "fixUrl"> & { productId: string | null }>(
      `SELECT f.id::text AS id, f.check, f.message, f.created_at AS "createdAt",
              COALESCE(p.title, f.before->>'product_title') AS "productTitle",
              COALESCE(v.title, f.before->>'variant_title') AS "variantTitle",
              CASE WHEN f.entity_type = 'product' THEN f.entity_id::text
                   ELSE COALESCE(v.product_id::text, f.before->>'product_id') END AS "productId"
         FROM integrity_finding f
         LEFT JOIN product_variant v ON f.entity_type = 'variant' AND v.shop = f.shop AND v.id = f.entity_id
         LEFT JOIN product p ON p.shop = f.shop
              AND p.id = CASE WHEN f.entity_type = 'product' THEN f.entity_id ELSE v.product_id END
        WHERE f.shop = $1 AND f.outcome = 'FLAGGED' AND f.resolved_at IS NULL
        ORDER BY f.created_at DESC, f.id DESC
        LIMIT ${FINDINGS_SHOWN}`,
      [shop],
    ),
    prisma.merchantConnection.findUnique({ where: { shop }, select: { lastManualSyncAt: true } }),
    productSyncsInProgress({ shop }),
    lastFinishedProductSync(shop),
  ]);
  return {
    status,
    listedProducts: listed,
    lastSyncs: lastSyncs.rows,
    events,
    findings: findings.rows.map(({ productId, ...finding }): FindingForMerchant => ({
      ...finding,
      fixUrl: productId && /^\d+$/.test(productId) ? shopifyAdminProductUrl(shop, productId) : null,
    })),
    nextManualSyncAt: nextManualSyncAt(manual?.lastManualSyncAt ?? null, now),
    productSync: { inProgress: syncsRunning, lastRun: lastProductSync },
  };
}
