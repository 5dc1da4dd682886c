import { pgPool } from "~/db.server";

// Where a long product sync stands, for the merchant page, the admin merchant page and the sync monitor: Shopify
// building the export (its object count so far, copied at every poll), the import (lines read against the export's
// count) and the merge, from the shop's export that is not handled yet; and what the last finished one changed.

export type ProductSyncStage = "exporting" | "importing" | "merging";

export interface ProductSyncProgress {
  shop: string;
  operationId: string;
  stage: ProductSyncStage;
  startedAt: Date;
  /** Objects in the export: so far while Shopify builds it, the file's total afterwards. */
  objectCount: number | null;
  linesRead: number | null;
  /** When the stage or count last changed (a poll, or the ingest's report). */
  updatedAt: Date | null;
}

export interface FinishedProductSync {
  operationId: string;
  finishedAt: Date;
  linesRead: number;
  productsWritten: number;
  productsDeleted: number;
  variantsWritten: number;
  variantsDeleted: number;
}

// An export that has not finished within Shopify's limit (10 days) is not in progress, whatever its row says.
const ACTIVE_WITHIN = "10 days";

export async function productSyncsInProgress(filter: { shop?: string } = {}): Promise<ProductSyncProgress[]> {
  const params: unknown[] = [];
  const shopCondition = filter.shop ? `AND shop = $${params.push(filter.shop)}` : "";
  const { rows } = await pgPool().query<{
    id: string;
    shop: string;
    status: string;
    object_count: string | null;
    lines_read: string | null;
    ingest_stage: string | null;
    started_at: Date;
    progress_at: Date | null;
  }>(
    `SELECT id::text, shop, status::text, object_count::text, lines_read::text, ingest_stage, started_at, progress_at
       FROM bulk_operation
      WHERE kind = 'PRODUCT_EXPORT' AND ingested_at IS NULL AND error IS NULL
        AND status IN ('CREATED', 'RUNNING', 'COMPLETED', 'FAILED')
        AND started_at > now() - interval '${ACTIVE_WITHIN}' ${shopCondition}
      ORDER BY started_at DESC, id DESC`,
    params,
  );
  return rows.map((row) => ({
    shop: row.shop,
    operationId: row.id,
    stage:
      row.ingest_stage === "MERGING"
        ? "merging"
        : row.status === "CREATED" || row.status === "RUNNING"
          ? "exporting"
          : "importing",
    startedAt: row.started_at,
    objectCount: row.object_count === null ? null : Number(row.object_count),
    linesRead: row.lines_read === null ? null : Number(row.lines_read),
    updatedAt: row.progress_at,
  }));
}

/** The shop's last export that was imported, with what the merge wrote and soft-deleted. */
export async function lastFinishedProductSync(shop: string): Promise<FinishedProductSync | null> {
  const { rows } = await pgPool().query<{ id: string; ingested_at: Date; summary: Record<string, number> | null }>(
    `SELECT id::text, ingested_at, summary FROM bulk_operation
      WHERE shop = $1 AND kind = 'PRODUCT_EXPORT' AND ingested_at IS NOT NULL ORDER BY ingested_at DESC, id DESC LIMIT 1`,
    [shop],
  );
  const row = rows[0];
  if (!row) return null;
  const figure = (name: string) => Number(row.summary?.[name] ?? 0);
  return {
    operationId: row.id,
    finishedAt: row.ingested_at,
    linesRead: figure("linesRead"),
    productsWritten: figure("productsWritten"),
    productsDeleted: figure("productsDeleted"),
    variantsWritten: figure("variantsWritten"),
    variantsDeleted: figure("variantsDeleted"),
  };
}
