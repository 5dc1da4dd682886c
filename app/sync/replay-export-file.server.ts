import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { pgPool } from "~/db.server";
import { ingestBulkExport, UnknownShopError, type IngestSummary } from "./bulk-export-ingest.server";

// Replays a saved bulk export file into a shop (the operators' `npm run sync:ingest`): the very same ingest as the
// daily sync, fed from a file instead of Shopify's URL.

export class ExportFileNotFoundError extends Error {
  constructor(readonly file: string) {
    super(`Export file not found: ${file}`);
    this.name = "ExportFileNotFoundError";
  }
}

export interface ReplayOptions {
  shop: string;
  file: string;
  /** Register the shop as an active, approved connection first when it is unknown (replaying into a fresh database). */
  createShop?: boolean;
  /** The file is partial data: write what it has, soft-delete nothing. */
  partial?: boolean;
}

export interface ShopTotals {
  products: number;
  variants: number;
}

export type ReplaySummary = IngestSummary & { totals: ShopTotals; createdShop: boolean };

/** Live (not soft-deleted) products and variants of a shop. */
export async function shopCatalogueTotals(shop: string): Promise<ShopTotals> {
  const { rows } = await pgPool().query<ShopTotals>(
    `SELECT (SELECT count(*) FROM product WHERE shop = $1 AND deleted_at IS NULL)::integer AS products,
            (SELECT count(*) FROM product_variant WHERE shop = $1 AND deleted_at IS NULL)::integer AS variants`,
    [shop],
  );
  return rows[0];
}

async function registerApprovedConnection(shop: string): Promise<boolean> {
  const { rowCount } = await pgPool().query(
    `INSERT INTO merchant_connection (shop, merchant_id, active, approval_status, approval_changed_at, approval_changed_by, updated_at)
     VALUES ($1, $1, true, 'APPROVED', now(), 'sync:ingest --create-shop', now())
     ON CONFLICT (shop) DO NOTHING`,
    [shop],
  );
  return (rowCount ?? 0) > 0;
}

export async function replayExportFile(options: ReplayOptions): Promise<ReplaySummary> {
  const file = await stat(options.file).catch(() => null);
  if (!file?.isFile()) throw new ExportFileNotFoundError(options.file);
  const createdShop = options.createShop ? await registerApprovedConnection(options.shop) : false;
  const summary = await ingestBulkExport({
    shop: options.shop,
    source: createReadStream(options.file, { highWaterMark: 256 * 1024 }),
    complete: !options.partial,
  });
  return { ...summary, createdShop, totals: await shopCatalogueTotals(options.shop) };
}

export { UnknownShopError };
