import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import pgCopyStreams from "pg-copy-streams";
import type { BulkExportLine } from "./bulk-export-line";

// Stage 1 of the ingest: every usable line of the export is streamed with COPY into a temporary table on the
// ingest's own connection, then deduplicated into `staged_product` / `staged_variant`. Staging the whole file
// first is what makes non-adjacent children simple and safe: by the time anything is merged, every product's
// variants are known, wherever they were in the file, and each product can be committed with all of its variants.
// Temporary tables live and die with the connection: a crash leaves nothing behind.

const { from: copyFrom } = pgCopyStreams;

/** Row kinds in bulk_raw_line. Lower case: the line was damaged but still named its object (protects it from deletion). */
const KIND = { product: "P", variant: "V", damagedProduct: "p", damagedVariant: "v" } as const;

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
  "tags_json",
  "sku",
  "price",
  "compare_at_price",
  "inventory_item_id",
  "tracked",
  "inventory_policy",
  "updated_at",
] as const;

export async function createRawStagingTable(client: pg.PoolClient): Promise<void> {
  await client.query(`
    DROP TABLE IF EXISTS bulk_raw_line, staged_product, staged_variant, seen_product, seen_variant;
    CREATE TEMP TABLE bulk_raw_line (
      line integer NOT NULL,
      kind "char" NOT NULL,
      id bigint,
      product_id bigint,
      title text, handle text, vendor text, product_type text, status text, tags_json text,
      sku text, price numeric, compare_at_price numeric, inventory_item_id bigint, tracked boolean, inventory_policy text,
      updated_at timestamptz
    )`);
}

type Cell = string | number | null;

// CSV: strings always quoted (so an empty string is not NULL), quotes doubled; NULL is an empty unquoted cell.
function csvCell(value: Cell): string {
  if (value === null) return "";
  if (typeof value === "number") return String(value);
  return `"${value.includes('"') ? value.replace(/"/g, '""') : value}"`;
}

function csvRow(cells: Cell[]): string {
  let row = csvCell(cells[0]);
  for (let i = 1; i < cells.length; i++) row += "," + csvCell(cells[i]);
  return row + "\n";
}

/** The CSV row of one parsed line, or null when the line carries nothing to stage. */
export function rawRowOf(lineNumber: number, parsed: BulkExportLine): string | null {
  switch (parsed.kind) {
    case "product":
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
        parsed.tags === null ? null : JSON.stringify(parsed.tags),
        null,
        null,
        null,
        null,
        null,
        null,
        parsed.updatedAt,
      ]);
    case "variant":
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
      ]);
    case "malformed":
      if (parsed.productId) {
        return csvRow([lineNumber, KIND.damagedProduct, parsed.productId, ...Array<null>(14).fill(null)]);
      }
      if (parsed.variantId) {
        return csvRow([
          lineNumber,
          KIND.damagedVariant,
          parsed.variantId,
          parsed.variantProductId ?? null,
          ...Array<null>(13).fill(null),
        ]);
      }
      return null;
    default:
      return null;
  }
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
}

/**
 * Deduplicates the raw lines (the last line of an id wins) into the tables the merge reads, numbered by product
 * (`ord`) so the merge can take products in batches together with their variants.
 */
export async function prepareStagedTables(client: pg.PoolClient): Promise<StagedCounts> {
  await client.query(`
    CREATE TEMP TABLE staged_product AS
    SELECT row_number() OVER (ORDER BY d.id)::integer AS ord, d.id, d.title, d.handle, d.vendor, d.product_type,
           d.status::"ProductStatus" AS status,
           CASE WHEN d.tags_json IS NULL THEN '{}'::text[]
                ELSE ARRAY(SELECT jsonb_array_elements_text(d.tags_json::jsonb)) END AS tags,
           d.updated_at
      FROM (SELECT DISTINCT ON (id) * FROM bulk_raw_line WHERE kind = '${KIND.product}' ORDER BY id, line DESC) d;
    CREATE UNIQUE INDEX ON staged_product (id);
    CREATE INDEX ON staged_product (ord);

    CREATE TEMP TABLE staged_variant AS
    SELECT p.ord, v.id, v.product_id, v.title, v.sku, round(v.price, 2)::numeric(14,2) AS price,
           round(v.compare_at_price, 2)::numeric(14,2) AS compare_at_price, v.inventory_item_id,
           v.tracked, v.inventory_policy::"InventoryPolicy" AS inventory_policy, v.updated_at
      FROM (SELECT DISTINCT ON (id) * FROM bulk_raw_line WHERE kind = '${KIND.variant}' ORDER BY id, line DESC) v
      JOIN staged_product p ON p.id = v.product_id;
    CREATE INDEX ON staged_variant (ord);

    -- Everything the file shows to exist, damaged lines included: what a complete export must not soft-delete.
    -- A variant line also proves its product exists, even when the product's own line was lost.
    CREATE TEMP TABLE seen_product AS
      SELECT id FROM bulk_raw_line WHERE kind IN ('${KIND.product}', '${KIND.damagedProduct}')
      UNION SELECT product_id FROM bulk_raw_line
       WHERE kind IN ('${KIND.variant}', '${KIND.damagedVariant}') AND product_id IS NOT NULL;
    ALTER TABLE seen_product ADD PRIMARY KEY (id);
    CREATE TEMP TABLE seen_variant AS
      SELECT DISTINCT id FROM bulk_raw_line WHERE kind IN ('${KIND.variant}', '${KIND.damagedVariant}');
    ALTER TABLE seen_variant ADD PRIMARY KEY (id);
    ANALYZE staged_product, staged_variant, seen_product, seen_variant;
  `);
  const { rows } = await client.query<{ products: number; variants: number; distinct_variants: number }>(`
    SELECT (SELECT count(*) FROM staged_product)::integer AS products,
           (SELECT count(*) FROM staged_variant)::integer AS variants,
           (SELECT count(DISTINCT id) FROM bulk_raw_line WHERE kind = '${KIND.variant}')::integer AS distinct_variants`);
  const { products, variants, distinct_variants } = rows[0];
  return { products, variants, orphanVariants: distinct_variants - variants };
}

export async function dropStagingTables(client: pg.PoolClient): Promise<void> {
  await client.query("DROP TABLE IF EXISTS bulk_raw_line, staged_product, staged_variant, seen_product, seen_variant");
}
