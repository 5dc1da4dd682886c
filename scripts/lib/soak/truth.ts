import type { RunningEmulator } from "../../../emulator";
import { pgPool } from "../../../app/db.server";
import { marketplaceQuantity, money } from "./changes";
import type { SoakShop } from "./population";

// Drift: every variant the marketplace should list (its product ACTIVE in Shopify; every soak shop lists all its
// products) and every variant it does list, compared field by field with Shopify's truth (the emulator's data):
// product title, price, compare-at price, sellable quantity at the marketplace's locations (tracked items), and
// presence (missing: Shopify lists it, the marketplace does not; extra: the marketplace lists a variant that is
// deleted or not active in Shopify).

export type DriftField = "missing" | "extra" | "title" | "price" | "compareAtPrice" | "quantity";

export interface DriftReport {
  /** Variants Shopify says the marketplace lists. */
  listedVariants: number;
  /** Of those and of the marketplace's listed ones, how many differ in at least one field. */
  driftedVariants: number;
  byField: Record<DriftField, number>;
  byShop: Record<string, number>;
  /** The first few, with both values. */
  samples: Array<{
    shop: string;
    productId: number;
    variantId: number;
    field: DriftField;
    shopify: unknown;
    marketplace: unknown;
    history?: unknown[];
  }>;
}

const PAGE = 1_000;
const SAMPLES = 25;

export async function measureDrift(emulator: RunningEmulator, shops: SoakShop[]): Promise<DriftReport> {
  const report: DriftReport = {
    listedVariants: 0,
    driftedVariants: 0,
    byField: { missing: 0, extra: 0, title: 0, price: 0, compareAtPrice: 0, quantity: 0 },
    byShop: {},
    samples: [],
  };
  for (const shop of shops) {
    const { rows } = await pgPool().query<{
      product_id: string;
      variant_id: string;
      title: string | null;
      price: string | null;
      compare_at_price: string | null;
      quantity: number | null;
    }>(
      `SELECT p.id::text AS product_id, v.id::text AS variant_id, p.title, v.price::text, v.compare_at_price::text, v.available_quantity AS quantity
         FROM product p JOIN product_variant v ON v.shop = p.shop AND v.product_id = p.id AND v.deleted_at IS NULL
        WHERE p.shop = $1 AND p.listed AND p.deleted_at IS NULL`,
      [shop.domain],
    );
    const marketplace = new Map(rows.map((r) => [Number(r.variant_id), r]));
    const seen = new Set<number>();
    let drifted = 0;
    const drift = (productId: number, variantId: number, fields: Array<[DriftField, unknown, unknown]>) => {
      if (fields.length === 0) return;
      drifted++;
      for (const [field, shopify, ours] of fields) {
        report.byField[field]++;
        if (report.samples.length < SAMPLES)
          report.samples.push({ shop: shop.domain, productId, variantId, field, shopify, marketplace: ours });
      }
    };
    for (let offset = 0; ; offset += PAGE) {
      const products = emulator.control.listProducts({ shop: shop.domain, limit: PAGE, offset });
      if (products.length === 0) break;
      for (const product of products) {
        if (product.status !== "ACTIVE") continue;
        for (const variant of product.variants) {
          report.listedVariants++;
          const id = variant.legacyResourceId;
          seen.add(id);
          const ours = marketplace.get(id);
          if (!ours) {
            drift(product.legacyResourceId, id, [["missing", "listed", "not listed"]]);
            continue;
          }
          const fields: Array<[DriftField, unknown, unknown]> = [];
          if (ours.title !== product.title) fields.push(["title", product.title, ours.title]);
          if (money(ours.price) !== money(variant.price))
            fields.push(["price", money(variant.price), money(ours.price)]);
          if (money(ours.compare_at_price) !== money(variant.compareAtPrice))
            fields.push(["compareAtPrice", money(variant.compareAtPrice), money(ours.compare_at_price)]);
          const quantity = marketplaceQuantity(variant, shop);
          if (variant.tracked && (ours.quantity ?? 0) !== quantity) fields.push(["quantity", quantity, ours.quantity]);
          drift(product.legacyResourceId, id, fields);
        }
      }
    }
    for (const [id, ours] of marketplace) {
      if (!seen.has(id)) drift(Number(ours.product_id), id, [["extra", "not listed", "listed"]]);
    }
    report.driftedVariants += drifted;
    if (drifted > 0) report.byShop[shop.domain] = drifted;
  }
  return report;
}
