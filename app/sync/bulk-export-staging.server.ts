import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type pg from "pg";
import pgCopyStreams from "pg-copy-streams";
import { listingRuleSql } from "~/merchants/selection.server";
import type { BulkExportLine } from "./bulk-export-line";
import { KNOWN_ID_LIMIT } from "./export-numbering";

// Stage 1 of the ingest: every changed line of the export is streamed with COPY into a temporary table on the
// ingest's own connection, numbered by product while it is read (`ord`, bulk-export-numbering.ts), and merged from
// there. Staging the whole file first is what makes non-adjacent children simple and safe: by the time anything is
// merged, every product's variants are known, wherever they were in the file, and each product can be committed with
// all of its variants. Temporary tables live and die with the connection: a crash leaves nothing behind.
// A line whose hash (export-line-hash.ts) is one the shop's rows already hold is unchanged: it is not parsed or
// staged at all. The rows those hashes came from are kept in `known_line` (read once, before the file), and what
// the file matched of them is what protects them from deletion (`forgetUnmatchedKnownLines`).

const { from: copyFrom, to: copyTo } = pgCopyStreams;

/**
 * Row kinds in bulk_raw_line. Lower case: the line was damaged but still named its object (protects it from
 * deletion, never merged).
 */
const KIND = {
  product: "P",
  variant: "V",
  damagedProduct: "p",
  damagedVariant: "v",
} as const;

const RAW_COLUMNS = [
  "line",
  "kind",
  "ord",
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
    DROP TABLE IF EXISTS bulk_raw_line, known_line;
    CREATE TEMP TABLE bulk_raw_line (
      line integer NOT NULL,
      kind "char" NOT NULL,
      ord integer,
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
 * The CSV row of one parsed line, or null when the line carries nothing to stage. `ord` is the number of the line's
 * product (variants: of their parent), null for damaged lines; `hash` is the line's exportLineHash.
 */
export function rawRowOf(
  lineNumber: number,
  parsed: BulkExportLine,
  ord: number | null = null,
  hash: number | null = null,
): string | null {
  switch (parsed.kind) {
    case "product":
      return csvRow([
        lineNumber,
        KIND.product,
        ord,
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
      return csvRow([
        lineNumber,
        KIND.variant,
        ord,
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
        return csvRow([lineNumber, KIND.damagedProduct, null, parsed.productId, ...Array<null>(15).fill(null)]);
      }
      if (parsed.variantId) {
        return csvRow([
          lineNumber,
          KIND.damagedVariant,
          null,
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
 * The shop's rows a line could leave exactly as they are, by the hash of the line each was last merged from: not
 * deleted and, for products, `listed` as the selection says (the merge would rewrite either). The trigger of
 * migration 20261201214000 has cleared the hash of a row anything else changed since. Kept as they were read in
 * `known_line` (the deletions must judge by this reading, not by a hash a webhook has cleared since), and streamed
 * with COPY into a Map of hash to signed id: a product's id, a variant's negated (~30 MB for 400,000 rows).
 * Ids of 16 digits or more (KNOWN_ID_LIMIT) are left out: their lines are simply staged.
 */
export async function readKnownLines(
  client: pg.PoolClient,
  shop: string,
  listsAllProducts: boolean,
): Promise<Map<number, number>> {
  const listedAsSelected = listingRuleSql({
    listsAll: String(listsAllProducts),
    chosen: "p.selected",
    status: "p.status",
    deletedAt: "p.deleted_at",
  });
  await client.query(
    `CREATE TEMP TABLE known_line AS
     SELECT p.export_hash AS hash, '${KIND.product}'::"char" AS kind, p.id, NULL::bigint AS product_id FROM product p
      WHERE p.shop = $1 AND p.export_hash IS NOT NULL AND p.deleted_at IS NULL AND p.id <= ${KNOWN_ID_LIMIT}
        AND p.listed = ${listedAsSelected}
     UNION ALL
     SELECT v.export_hash, '${KIND.variant}', v.id, v.product_id FROM product_variant v
      WHERE v.shop = $1 AND v.export_hash IS NOT NULL AND v.deleted_at IS NULL AND v.id <= ${KNOWN_ID_LIMIT}`,
    [shop],
  );
  await client.query("ANALYZE known_line");
  const stream = client.query(
    copyTo(`COPY (SELECT hash, CASE WHEN kind = '${KIND.product}' THEN id ELSE -id END FROM known_line) TO STDOUT`),
  );
  const known = new Map<number, number>();
  let rest = "";
  const add = (line: string) => {
    const tab = line.indexOf("\t");
    known.set(Number(line.slice(0, tab)), Number(line.slice(tab + 1)));
  };
  for await (const chunk of stream) {
    const lines = (rest + (chunk as Buffer).toString("latin1")).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) add(line);
  }
  if (rest.length > 0) add(rest);
  return known;
}

/**
 * Leaves in `known_line` only the rows whose line the file held unchanged, given the hashes no line matched: those
 * rows are seen (not deleted) without having been staged. Sends whichever list is shorter.
 */
export async function forgetUnmatchedKnownLines(
  client: pg.PoolClient,
  unmatched: Iterable<number>,
  matched: Iterable<number>,
  counts: { unmatched: number; matched: number },
): Promise<void> {
  if (counts.unmatched === 0) return;
  // Nothing matched (a first import, a new hash version): nothing to keep.
  if (counts.matched === 0) {
    await client.query("TRUNCATE known_line");
  } else if (counts.unmatched <= counts.matched) {
    await client.query("DELETE FROM known_line WHERE hash = ANY($1::bigint[])", [Array.from(unmatched, String)]);
  } else {
    await client.query("DELETE FROM known_line WHERE hash <> ALL($1::bigint[])", [Array.from(matched, String)]);
  }
  await client.query("ANALYZE known_line");
}

/** COPYs CSV text (whole rows per chunk) into bulk_raw_line, honouring backpressure. */
export async function copyRawRows(client: pg.PoolClient, csvChunks: AsyncIterable<string>): Promise<void> {
  const copy = client.query(copyFrom(`COPY bulk_raw_line (${RAW_COLUMNS.join(", ")}) FROM STDIN WITH (FORMAT csv)`));
  await pipeline(Readable.from(csvChunks, { objectMode: false }), copy);
}

export interface StagedCounts {
  /** Changed variant lines (distinct ids) whose product has a usable line. */
  variants: number;
  /** Variants whose product has no usable line in the file: not written (the integrity check owns orphans). */
  orphanVariants: number;
  /** Variants the file held both unchanged and, later, changed: counted once. */
  variantsBothWays: number;
}

/**
 * Readies the staged lines for the merge, in place (no second copy): when the file named an id twice, only its last
 * line stays (the last line of an id wins); the variants of `orphanOrds` (products without a usable line) lose their
 * ord, so no batch merges them; then an index on ord for the batches.
 */
export async function prepareStagedLines(
  client: pg.PoolClient,
  options: { duplicates: boolean; orphanOrds: number[]; countBothWays: boolean },
): Promise<StagedCounts> {
  // Statistics first: without them the planner takes the raw table for a few hundred rows and joins by nested loops.
  // Only of the columns that are joined or filtered on, from a small sample: a full ANALYZE (every text column, a
  // 30,000-row sample) was 0.9 s of a 1.5 s prepare at 30,000 products.
  await client.query(`
    SET default_statistics_target = 10;
    ANALYZE bulk_raw_line (kind, ord, id, product_id, inventory_item_id);
    RESET default_statistics_target`);
  if (options.duplicates) {
    await client.query(`
      DELETE FROM bulk_raw_line r USING bulk_raw_line later
       WHERE r.kind IN ('${KIND.product}', '${KIND.variant}') AND later.kind = r.kind AND later.id = r.id
         AND later.line > r.line`);
  }
  if (options.orphanOrds.length > 0) {
    await client.query(`UPDATE bulk_raw_line SET ord = NULL WHERE kind = '${KIND.variant}' AND ord = ANY($1::int[])`, [
      options.orphanOrds,
    ]);
  }
  // BRIN, not a b-tree: ords grow with the line number (a product and its variants are numbered as they come), so
  // block ranges find a batch's rows; it is built in one pass without a sort (a third of the b-tree's time).
  await client.query("CREATE INDEX ON bulk_raw_line USING brin (ord)");
  // Variants both ways: an unchanged line matched, and a changed line of the same variant came later.
  const { rows } = await client.query<{ variants: number; orphans: number; both_ways: number }>(`
    SELECT count(ord)::integer AS variants, (count(*) - count(ord))::integer AS orphans,
           ${
             options.countBothWays
               ? `(SELECT count(*) FROM known_line k JOIN bulk_raw_line r ON r.kind = k.kind AND r.id = k.id
                    WHERE k.kind = '${KIND.variant}')::integer`
               : "0"
           } AS both_ways
      FROM bulk_raw_line WHERE kind = '${KIND.variant}'`);
  return { variants: rows[0].variants, orphanVariants: rows[0].orphans, variantsBothWays: rows[0].both_ways };
}

export async function dropStagingTables(client: pg.PoolClient): Promise<void> {
  await client.query("DROP TABLE IF EXISTS bulk_raw_line, known_line");
}
