import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import pgCopyStreams from "pg-copy-streams";
import { listingRuleSql } from "~/merchants/selection.server";
import type { BulkExportLine } from "./bulk-export-line";

// Stage 1 of the ingest: every usable line of the export is streamed with COPY into a temporary table on the
// ingest's own connection, then deduplicated into `staged_product` / `staged_variant`. Staging the whole file
// first is what makes non-adjacent children simple and safe: by the time anything is merged, every product's
// variants are known, wherever they were in the file, and each product can be committed with all of its variants.
// Temporary tables live and die with the connection: a crash leaves nothing behind.
// A line whose hash (export-line-hash.ts) is one the shop's rows already hold is unchanged: only its ids are staged
// (kind Q / W), enough to protect it from deletion and to place a changed variant under its unchanged product;
// nothing of it is compared or merged.

const { from: copyFrom, to: copyTo } = pgCopyStreams;

/**
 * Row kinds in bulk_raw_line. Lower case: the line was damaged but still named its object (protects it from
 * deletion). Q / W: the line is the one the row was last merged from (its hash is the row's), staged by id only.
 */
const KIND = {
  product: "P",
  variant: "V",
  damagedProduct: "p",
  damagedVariant: "v",
  unchangedProduct: "Q",
  unchangedVariant: "W",
} as const;

const RAW_COLUMNS = [
  "line",
  "kind",
  "id",
  "product_id",
  "title",
  "handle",
  "vendor",
  "product_type",
  "status",
  "tags",
  "sku",
  "price",
  "compare_at_price",
  "inventory_item_id",
  "tracked",
  "inventory_policy",
  "updated_at",
  "hash",
] as const;

export async function createRawStagingTable(client: pg.PoolClient): Promise<void> {
  await client.query(`
    DROP TABLE IF EXISTS bulk_raw_line, staged_product, staged_variant, seen_product, seen_variant;
    CREATE TEMP TABLE bulk_raw_line (
      line integer NOT NULL,
      kind "char" NOT NULL,
      id bigint,
      product_id bigint,
      title text, handle text, vendor text, product_type text, status text, tags text[],
      sku text, price numeric, compare_at_price numeric, inventory_item_id bigint, tracked boolean, inventory_policy text,
      updated_at timestamptz, hash bigint
    )`);
}

type Cell = string | number | null;

// CSV: strings always quoted (so an empty string is not NULL), quotes doubled; NULL is an empty unquoted cell.
function csvCell(value: Cell): string {
  if (value === null) return "";
  if (typeof value === "number") return String(value);
  return `"${value.includes('"') ? value.replace(/"/g, '""') : value}"`;
}

// A text[] literal, which COPY reads as it is: elements double-quoted, backslashes and quotes escaped. (Staged as
// JSON text and unpacked with jsonb_array_elements_text, the tags cost a subquery per product: a third of prepare.)
function arrayLiteral(values: string[]): string {
  if (values.length === 0) return "{}";
  let literal = "{";
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    if (i > 0) literal += ",";
    literal += `"${/["\\]/.test(value) ? value.replace(/["\\]/g, "\\$&") : value}"`;
  }
  return literal + "}";
}

function csvRow(cells: Cell[]): string {
  let row = csvCell(cells[0]);
  for (let i = 1; i < cells.length; i++) row += "," + csvCell(cells[i]);
  return row + "\n";
}

/**
 * The CSV row of one parsed line, or null when the line carries nothing to stage. `hash` is the line's
 * exportLineHash (products and variants); `unchanged` says a row of the shop already holds it.
 */
export function rawRowOf(
  lineNumber: number,
  parsed: BulkExportLine,
  hash: number | null = null,
  unchanged = false,
): string | null {
  switch (parsed.kind) {
    case "product":
      if (unchanged) return csvRow([lineNumber, KIND.unchangedProduct, parsed.id, ...Array<null>(15).fill(null)]);
      return csvRow([
        lineNumber,
        KIND.product,
        parsed.id,
        null,
        parsed.title,
        parsed.handle,
        parsed.vendor,
        parsed.productType,
        parsed.status,
        parsed.tags === null ? "{}" : arrayLiteral(parsed.tags),
        null,
        null,
        null,
        null,
        null,
        null,
        parsed.updatedAt,
        hash,
      ]);
    case "variant":
      if (unchanged) {
        return csvRow([lineNumber, KIND.unchangedVariant, parsed.id, parsed.productId, ...Array<null>(14).fill(null)]);
      }
      return csvRow([
        lineNumber,
        KIND.variant,
        parsed.id,
        parsed.productId,
        parsed.title,
        null,
        null,
        null,
        null,
        null,
        parsed.sku,
        parsed.price,
        parsed.compareAtPrice,
        parsed.inventoryItemId,
        parsed.tracked === null ? null : String(parsed.tracked),
        parsed.inventoryPolicy,
        parsed.updatedAt,
        hash,
      ]);
    case "malformed":
      if (parsed.productId) {
        return csvRow([lineNumber, KIND.damagedProduct, parsed.productId, ...Array<null>(15).fill(null)]);
      }
      if (parsed.variantId) {
        return csvRow([
          lineNumber,
          KIND.damagedVariant,
          parsed.variantId,
          parsed.variantProductId ?? null,
          ...Array<null>(14).fill(null),
        ]);
      }
      return null;
    default:
      return null;
  }
}

/**
 * The hashes of the lines the shop's rows were last merged from, for rows the same line would leave exactly as they
 * are: not deleted and, for products, `listed` as the selection says (the merge would rewrite either). The trigger
 * of migration 20261201214000 has cleared the hash of a row anything else changed since. Streamed with COPY into a
 * Set of numbers (~16 MB for 400,000 rows), not read as result rows.
 */
export async function readUnchangedHashes(
  client: pg.PoolClient,
  shop: string,
  listsAllProducts: boolean,
): Promise<Set<number>> {
  const shopLiteral = client.escapeLiteral(shop);
  const listedAsSelected = listingRuleSql({
    listsAll: String(listsAllProducts),
    chosen: "p.selected",
    status: "p.status",
    deletedAt: "p.deleted_at",
  });
  const stream = client.query(
    copyTo(`COPY (SELECT p.export_hash FROM product p
                   WHERE p.shop = ${shopLiteral} AND p.export_hash IS NOT NULL AND p.deleted_at IS NULL
                     AND p.listed = ${listedAsSelected}
                  UNION ALL
                  SELECT v.export_hash FROM product_variant v
                   WHERE v.shop = ${shopLiteral} AND v.export_hash IS NOT NULL AND v.deleted_at IS NULL)
            TO STDOUT`),
  );
  const hashes = new Set<number>();
  let rest = "";
  for await (const chunk of stream) {
    const lines = (rest + (chunk as Buffer).toString("latin1")).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) hashes.add(Number(line));
  }
  if (rest.length > 0) hashes.add(Number(rest));
  return hashes;
}

/** COPYs CSV text (whole rows per chunk) into bulk_raw_line, honouring backpressure. */
export async function copyRawRows(client: pg.PoolClient, csvChunks: AsyncIterable<string>): Promise<void> {
  const copy = client.query(copyFrom(`COPY bulk_raw_line (${RAW_COLUMNS.join(", ")}) FROM STDIN WITH (FORMAT csv)`));
  await pipeline(Readable.from(csvChunks, { objectMode: false }), copy);
}

export interface StagedCounts {
  products: number;
  variants: number;
  /** Variants whose product has no usable line in the file: not written (the integrity check owns orphans). */
  orphanVariants: number;
  /** The highest ord of a product to merge: batches of ords up to it hold every changed product and variant. */
  stagedProductRows: number;
}

/**
 * Deduplicates the raw lines (the last line of an id wins) into the tables the merge reads, numbered by product
 * (`ord`) so the merge can take products in batches together with their variants. Unchanged lines (Q / W) take part
 * (a later unchanged line beats an earlier changed one, and they are counted) with `unchanged` set: the merge skips
 * them, and only the changed rows are in the `ord` indexes it reads.
 */
export async function prepareStagedTables(
  client: pg.PoolClient,
  options: { seenTables: boolean },
): Promise<StagedCounts> {
  // Statistics first: without them the planner takes the raw table for a few hundred rows and joins by nested loops.
  await client.query(`
    ANALYZE bulk_raw_line;
    CREATE TEMP TABLE staged_product AS
    SELECT row_number() OVER (ORDER BY d.id)::integer AS ord, d.id, d.kind = '${KIND.unchangedProduct}' AS unchanged,
           d.title, d.handle, d.vendor, d.product_type, d.status::"ProductStatus" AS status, d.tags, d.updated_at, d.hash
      FROM (SELECT DISTINCT ON (id) * FROM bulk_raw_line
             WHERE kind IN ('${KIND.product}', '${KIND.unchangedProduct}') ORDER BY id, line DESC) d;
    CREATE INDEX ON staged_product (ord) WHERE NOT unchanged;

    -- An orphan (no usable line of its product) keeps a NULL ord: counted, never merged.
    CREATE TEMP TABLE staged_variant AS
    SELECT p.ord, v.id, v.kind = '${KIND.unchangedVariant}' AS unchanged, v.product_id, v.title, v.sku,
           round(v.price, 2)::numeric(14,2) AS price, round(v.compare_at_price, 2)::numeric(14,2) AS compare_at_price,
           v.inventory_item_id, v.tracked, v.inventory_policy::"InventoryPolicy" AS inventory_policy, v.updated_at,
           v.hash
      FROM (SELECT DISTINCT ON (id) * FROM bulk_raw_line
             WHERE kind IN ('${KIND.variant}', '${KIND.unchangedVariant}') ORDER BY id, line DESC) v
      LEFT JOIN staged_product p ON p.id = v.product_id;
    CREATE INDEX ON staged_variant (ord) WHERE NOT unchanged;
    ANALYZE staged_product, staged_variant;
  `);
  // Only the deletions read them.
  if (options.seenTables) {
    await client.query(`
    -- Everything the file shows to exist, damaged lines included: what a complete export must not soft-delete.
    -- A variant line also proves its product exists, even when the product's own line was lost. UNION makes the ids
    -- unique; no index: the deletions read them whole, by hash anti-joins.
    CREATE TEMP TABLE seen_product AS
      SELECT id FROM staged_product
      UNION SELECT id FROM bulk_raw_line WHERE kind = '${KIND.damagedProduct}'
      UNION SELECT product_id FROM bulk_raw_line
       WHERE kind IN ('${KIND.variant}', '${KIND.damagedVariant}', '${KIND.unchangedVariant}') AND product_id IS NOT NULL;
    CREATE TEMP TABLE seen_variant AS
      SELECT id FROM staged_variant UNION SELECT id FROM bulk_raw_line WHERE kind = '${KIND.damagedVariant}';
    ANALYZE seen_product, seen_variant;
  `);
  }
  const { rows } = await client.query<{
    products: number;
    variants: number;
    distinct_variants: number;
    staged_product_rows: number;
  }>(`
    SELECT (SELECT count(*) FROM staged_product)::integer AS products,
           (SELECT count(ord) FROM staged_variant)::integer AS variants,
           (SELECT count(*) FROM staged_variant)::integer AS distinct_variants,
           greatest((SELECT max(ord) FROM staged_product WHERE NOT unchanged),
                    (SELECT max(ord) FROM staged_variant WHERE NOT unchanged))::integer AS staged_product_rows`);
  const { products, variants, distinct_variants, staged_product_rows } = rows[0];
  return {
    products,
    variants,
    orphanVariants: distinct_variants - variants,
    stagedProductRows: staged_product_rows ?? 0,
  };
}

export async function dropStagingTables(client: pg.PoolClient): Promise<void> {
  await client.query("DROP TABLE IF EXISTS bulk_raw_line, staged_product, staged_variant, seen_product, seen_variant");
}
