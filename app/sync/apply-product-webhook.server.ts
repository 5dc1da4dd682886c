import type pg from "pg";
import { z } from "zod";
import { withTransaction } from "~/db.server";
import { NUL, NUL_PROBLEM } from "./bulk-export-line";

// The real-time path: one products/create|update|delete webhook applied to a shop's rows, unless what we hold is
// newer. Webhooks arrive late (up to a day), repeated and out of order, so every write is guarded by Shopify's
// updated_at: an older payload never overwrites a newer row, and replaying a payload changes nothing. updated_at has
// whole seconds, so two updates within one second tie; X-Shopify-Triggered-At, kept on the product row, says which
// webhook Shopify emitted later, and that one wins.
// The payloads are REST-shaped (snake_case, numeric ids, status in lower case, tags as one comma-separated string).

const numericId = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]).transform(String);
const decimal = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v, ctx) => {
    if (v === null || v === undefined || v === "") return null;
    const text = String(v);
    if (!/^-?\d{1,12}(\.\d+)?$/.test(text)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `not a decimal amount: ${text}` });
      return z.NEVER;
    }
    return text;
  });
// A NUL character (\u0000) in a field we store makes the payload malformed, as it makes a bulk export line: PostgreSQL's
// text cannot hold one, so the job would fail on every retry. The job fails once, for good, naming the field (Shopify
// sends the product's current state again with its next change, and the daily export reconciles it). A NUL in a field
// we do not keep (body_html, ...) is harmless: those are dropped here, never written.
const storableText = z.string().refine((text) => !text.includes(NUL), { message: NUL_PROBLEM });
const timestamp = z
  .string()
  .datetime({ offset: true })
  .nullish()
  .transform((v) => v ?? null);

const variantPayload = z.object({
  id: numericId,
  title: storableText.nullish(),
  sku: storableText.nullish(),
  price: decimal,
  compare_at_price: decimal,
  inventory_item_id: numericId.nullish(),
  // Not used: inventory_quantity is the total over every location, not what the marketplace sells (docs/decisions/008).
  inventory_quantity: z.number().int().nullish(),
  inventory_policy: z
    .string()
    .nullish()
    .transform((p) => (p ? p.toUpperCase() : null))
    .pipe(z.enum(["DENY", "CONTINUE"]).nullable()),
  updated_at: timestamp,
});

export const productWebhookProduct = z.object({
  id: numericId,
  title: storableText.nullish(),
  handle: storableText.nullish(),
  vendor: storableText.nullish(),
  product_type: storableText.nullish(),
  status: z
    .string()
    .nullish()
    .transform((s) => (s ? s.toUpperCase() : null))
    .pipe(z.enum(["ACTIVE", "ARCHIVED", "DRAFT", "UNLISTED"]).nullable()),
  tags: storableText.nullish().transform((t) =>
    t
      ? t
          .split(",")
          .map((tag) => tag.trim())
          .filter(Boolean)
      : [],
  ),
  updated_at: timestamp,
  variants: z.array(variantPayload).default([]),
});

export const productDeletePayload = z.object({ id: numericId });

export const PRODUCT_WEBHOOK_TOPICS = ["products/create", "products/update", "products/delete"] as const;
export type ProductWebhookTopic = (typeof PRODUCT_WEBHOOK_TOPICS)[number];

export interface ProductWebhookInput {
  shop: string;
  topic: ProductWebhookTopic;
  payload: unknown;
  /** X-Shopify-Triggered-At: when Shopify emitted it (dates a deletion, which carries no updated_at, and breaks
   * updated_at ties between updates). Ignored when it is not a timestamp. */
  triggeredAt?: string | null;
  now?: Date;
}

export type ProductWebhookResult =
  | { applied: true; productId: string; variantsWritten: number; variantsDeleted: number }
  | { applied: false; productId: string; reason: "stale" | "unknown-shop" };

const UPSERT_PRODUCT = `
INSERT INTO product AS p (shop, id, title, handle, vendor, product_type, status, tags, selected, listed,
                          shopify_updated_at, webhook_triggered_at, synced_at, deleted_at)
SELECT c.shop, $2, $3, $4, $5, $6, $7::"ProductStatus", $8::text[], false,
       (c.selection_mode = 'ALL' AND $7::"ProductStatus" IS NOT DISTINCT FROM 'ACTIVE'), $9, $11::timestamptz, $10, NULL
  FROM merchant_connection c WHERE c.shop = $1
ON CONFLICT (shop, id) DO UPDATE SET
  title = excluded.title, handle = excluded.handle, vendor = excluded.vendor, product_type = excluded.product_type,
  status = excluded.status, tags = excluded.tags,
  listed = ((p.selected OR (SELECT selection_mode = 'ALL' FROM merchant_connection WHERE shop = $1))
            AND excluded.status IS NOT DISTINCT FROM 'ACTIVE'),
  shopify_updated_at = excluded.shopify_updated_at, webhook_triggered_at = excluded.webhook_triggered_at,
  synced_at = excluded.synced_at, deleted_at = NULL
WHERE (p.shopify_updated_at IS NULL OR excluded.shopify_updated_at IS NULL OR excluded.shopify_updated_at > p.shopify_updated_at
       -- the same second: only a webhook emitted after the one that wrote the row (not after an export's write)
       OR (excluded.shopify_updated_at = p.shopify_updated_at AND excluded.webhook_triggered_at > p.webhook_triggered_at))
  -- a product deleted after this version was emitted stays deleted
  AND (p.deleted_at IS NULL OR excluded.shopify_updated_at IS NULL OR excluded.shopify_updated_at > p.deleted_at)
RETURNING p.id`;

// All of the payload's variants in one statement, each guarded by its own updated_at. The quantity is never the
// payload's (a sum over every location): a new variant gets marketplace_available() from the levels already read,
// a known one keeps its own unless its inventory item changed. Tracking likewise: the REST payload carries no
// tracking at all (Shopify's products/update sample has no `inventory_management` since the 2024-04 product model;
// it is InventoryItem.tracked), so a new variant, or one with another inventory item, takes the tracking the
// inventory paths stored with the item's levels (ITEM_TRACKED), else Shopify's default, tracked; the export reads
// InventoryItem.tracked itself, and the inventory paths correct both.
const ITEM_TRACKED = `(SELECT l.tracked FROM inventory_level l
                         WHERE l.shop = $1 AND l.inventory_item_id = x.inventory_item_id AND l.tracked IS NOT NULL
                         ORDER BY l.observed_at DESC LIMIT 1)`;
const UPSERT_VARIANTS = `
INSERT INTO product_variant AS v (shop, id, product_id, title, sku, price, compare_at_price, inventory_item_id,
                                  available_quantity, inventory_tracked, inventory_policy, shopify_updated_at,
                                  synced_at, deleted_at)
SELECT $1, x.id, $2, x.title, x.sku, x.price, x.compare_at_price, x.inventory_item_id,
       CASE WHEN x.inventory_item_id IS NULL THEN NULL ELSE marketplace_available($1, x.inventory_item_id) END,
       coalesce(${ITEM_TRACKED}, true), coalesce(x.inventory_policy, 'DENY'), x.updated_at, $3, NULL
  FROM jsonb_to_recordset($4::jsonb) AS x(id bigint, title text, sku text, price numeric(14,2),
       compare_at_price numeric(14,2), inventory_item_id bigint, inventory_policy "InventoryPolicy", updated_at timestamptz)
ON CONFLICT (shop, id) DO UPDATE SET
  product_id = excluded.product_id, title = excluded.title, sku = excluded.sku, price = excluded.price,
  compare_at_price = excluded.compare_at_price, inventory_item_id = excluded.inventory_item_id,
  available_quantity = CASE WHEN v.inventory_item_id IS NOT DISTINCT FROM excluded.inventory_item_id
                            THEN v.available_quantity ELSE excluded.available_quantity END,
  inventory_tracked = CASE WHEN v.inventory_item_id IS NOT DISTINCT FROM excluded.inventory_item_id
                           THEN v.inventory_tracked ELSE excluded.inventory_tracked END,
  inventory_policy = excluded.inventory_policy,
  shopify_updated_at = excluded.shopify_updated_at, synced_at = excluded.synced_at, deleted_at = NULL
WHERE v.shopify_updated_at IS NULL OR excluded.shopify_updated_at IS NULL OR excluded.shopify_updated_at >= v.shopify_updated_at`;

// Variants the product no longer has, unless they changed after this payload's version.
const DELETE_ABSENT_VARIANTS = `
UPDATE product_variant v SET deleted_at = $3, synced_at = $3
 WHERE v.shop = $1 AND v.product_id = $2 AND v.deleted_at IS NULL
   AND NOT (v.id = ANY($4::bigint[]))
   AND ($5::timestamptz IS NULL OR v.shopify_updated_at IS NULL OR v.shopify_updated_at <= $5::timestamptz)`;

/** A products/* payload, validated (a ZodError when it is malformed: it will not parse on a retry either). */
export type ParsedProductWebhook =
  | { topic: "products/delete"; productId: string; product?: undefined }
  | { topic: "products/create" | "products/update"; productId: string; product: z.infer<typeof productWebhookProduct> };

export function parseProductWebhook(topic: ProductWebhookTopic, payload: unknown): ParsedProductWebhook {
  if (topic === "products/delete") return { topic, productId: productDeletePayload.parse(payload).id };
  const product = productWebhookProduct.parse(payload);
  return { topic, productId: product.id, product };
}

export async function applyProductWebhook(input: ProductWebhookInput): Promise<ProductWebhookResult> {
  const parsed = parseProductWebhook(input.topic, input.payload);
  return withTransaction((client) =>
    applyParsedProductWebhook(client, input.shop, parsed, input.triggeredAt, input.now ?? new Date()),
  );
}

/**
 * One validated delivery applied on `client` (the caller's transaction): the coalescing job applies a batch of
 * products in one transaction (app/sync/apply-product-deliveries.server.ts), the product-webhook job one.
 */
export async function applyParsedProductWebhook(
  client: pg.PoolClient,
  shop: string,
  parsed: ParsedProductWebhook,
  triggeredAtHeader: string | Date | null | undefined,
  now: Date,
): Promise<ProductWebhookResult> {
  const triggeredAt = triggeredAtOf(triggeredAtHeader);
  if (parsed.topic === "products/delete") {
    const id = parsed.productId;
    const deletedAt = triggeredAt ? new Date(triggeredAt) : now;
    // A product updated after the deletion was emitted cannot be this deletion's product state: keep it.
    const product = await client.query(
      `UPDATE product SET deleted_at = $3, listed = false, synced_at = $4
        WHERE shop = $1 AND id = $2 AND deleted_at IS NULL
          AND (shopify_updated_at IS NULL OR shopify_updated_at <= $3)`,
      [shop, id, deletedAt, now],
    );
    const variants = await client.query(
      "UPDATE product_variant SET deleted_at = $3, synced_at = $3 WHERE shop = $1 AND product_id = $2 AND deleted_at IS NULL",
      [shop, id, deletedAt],
    );
    if ((product.rowCount ?? 0) === 0 && (variants.rowCount ?? 0) === 0) {
      return { applied: false, productId: id, reason: "stale" } as const;
    }
    return { applied: true, productId: id, variantsWritten: 0, variantsDeleted: variants.rowCount ?? 0 } as const;
  }

  const product = parsed.product;
  if (!(await upsertProductRow(client, shop, product, triggeredAt, now))) {
    const known = await client.query("SELECT 1 FROM merchant_connection WHERE shop = $1", [shop]);
    return { applied: false, productId: product.id, reason: known.rowCount ? "stale" : "unknown-shop" } as const;
  }
  return { applied: true, productId: product.id, ...(await writeProductVariants(client, shop, product, now)) } as const;
}

type WebhookProduct = z.infer<typeof productWebhookProduct>;

/**
 * The two halves of an update, for a caller that sends many products' statements at once on one connection (the
 * coalescing job pipelines them): the product row, true when written (false: what we hold is newer, or no such shop);
 * then, only for a written one, its variants.
 */
export async function upsertProductRow(
  client: pg.PoolClient,
  shop: string,
  product: WebhookProduct,
  triggeredAt: string | null,
  now: Date,
): Promise<boolean> {
  const upserted = await client.query(UPSERT_PRODUCT, [
    shop,
    product.id,
    product.title ?? null,
    product.handle ?? null,
    product.vendor ?? null,
    product.product_type ?? null,
    product.status,
    product.tags,
    product.updated_at,
    now,
    triggeredAt,
  ]);
  return (upserted.rowCount ?? 0) > 0;
}

export async function writeProductVariants(
  client: pg.PoolClient,
  shop: string,
  product: WebhookProduct,
  now: Date,
): Promise<{ variantsWritten: number; variantsDeleted: number }> {
  const variants = product.variants.map((v) => ({
    id: v.id,
    title: v.title ?? null,
    sku: v.sku ?? null,
    price: v.price,
    compare_at_price: v.compare_at_price,
    inventory_item_id: v.inventory_item_id ?? null,
    inventory_policy: v.inventory_policy,
    updated_at: v.updated_at,
  }));
  const [written, deleted] = await Promise.all([
    client.query(UPSERT_VARIANTS, [shop, product.id, now, JSON.stringify(variants)]),
    client.query(DELETE_ABSENT_VARIANTS, [shop, product.id, now, variants.map((v) => v.id), product.updated_at]),
  ]);
  return { variantsWritten: written.rowCount ?? 0, variantsDeleted: deleted.rowCount ?? 0 };
}

/** X-Shopify-Triggered-At as the product row stores it (null when it is not a timestamp). */
export function triggeredAtOf(header: string | Date | null | undefined): string | null {
  return header instanceof Date ? header.toISOString() : (timestamp.safeParse(header).data ?? null);
}
