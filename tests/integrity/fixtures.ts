import { pgPool } from "../../app/db.server";

// Rows for integrity and inventory tests, written with plain SQL (the same columns the app's SQL reads).

export const DAY = 24 * 60 * 60 * 1000;

export interface ProductFixture {
  selected?: boolean;
  listed?: boolean;
  status?: "ACTIVE" | "ARCHIVED" | "DRAFT" | "UNLISTED" | null;
  deletedAt?: Date | null;
  syncedAt?: Date;
  shopifyUpdatedAt?: Date | null;
  title?: string;
}

export async function insertProduct(shop: string, id: number, fixture: ProductFixture = {}) {
  await pgPool().query(
    `INSERT INTO product (shop, id, title, status, selected, listed, deleted_at, synced_at, shopify_updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      shop,
      id,
      fixture.title ?? `Product ${id}`,
      fixture.status === undefined ? "ACTIVE" : fixture.status,
      fixture.selected ?? true,
      fixture.listed ?? true,
      fixture.deletedAt ?? null,
      fixture.syncedAt ?? new Date(),
      fixture.shopifyUpdatedAt === undefined ? new Date() : fixture.shopifyUpdatedAt,
    ],
  );
}

export interface VariantFixture {
  sku?: string | null;
  price?: string | null;
  compareAtPrice?: string | null;
  inventoryItemId?: number | null;
  availableQuantity?: number | null;
  inventoryUpdatedAt?: Date | null;
  deletedAt?: Date | null;
  syncedAt?: Date;
}

export async function insertVariant(shop: string, id: number, productId: number, fixture: VariantFixture = {}) {
  await pgPool().query(
    `INSERT INTO product_variant (shop, id, product_id, title, sku, price, compare_at_price, inventory_item_id,
                                  available_quantity, inventory_updated_at, deleted_at, synced_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      shop,
      id,
      productId,
      `Variant ${id}`,
      fixture.sku === undefined ? `SKU-${id}` : fixture.sku,
      fixture.price === undefined ? "10.00" : fixture.price,
      fixture.compareAtPrice ?? null,
      fixture.inventoryItemId === undefined ? id + 1_000_000 : fixture.inventoryItemId,
      fixture.availableQuantity === undefined ? 5 : fixture.availableQuantity,
      fixture.inventoryUpdatedAt ?? null,
      fixture.deletedAt ?? null,
      fixture.syncedAt ?? new Date(),
    ],
  );
}

/** Every product and variant row of a shop, to compare before and after a run. */
export async function shopRows(shop: string) {
  const products = await pgPool().query(`SELECT * FROM product WHERE shop = $1 ORDER BY id`, [shop]);
  const variants = await pgPool().query(`SELECT * FROM product_variant WHERE shop = $1 ORDER BY id`, [shop]);
  const connection = await pgPool().query(`SELECT * FROM merchant_connection WHERE shop = $1`, [shop]);
  return { products: products.rows, variants: variants.rows, connection: connection.rows };
}
