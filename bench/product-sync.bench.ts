import { execFile } from "node:child_process";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type pg from "pg";
import pgCopyStreams from "pg-copy-streams";
import { prisma } from "../app/db.server";
import { parseBulkExportLine } from "../app/sync/bulk-export-line";
import { fetchResultFile } from "../app/sync/finish-product-export.server";
import { readJsonlLines } from "../app/sync/jsonl-reader";
import {
  BULK_OPERATION_QUERY,
  BULK_OPERATION_RUN_QUERY,
  BULK_PRODUCT_EXPORT_QUERY,
  type BulkOperationNode,
} from "../app/shopify-admin/operations";
import { startEmulator } from "../emulator";
import { envNumber, openDedicatedDatabase } from "./dedicated-database";

// The daily product sync's ingest: a 100,000-product / 300,000-variant bulk export built by the Shopify emulator
// and streamed over HTTP into PostgreSQL (COPY into staging, per-batch set-based merges), measured in a child
// process of its own so its peak memory is not the emulator's. Run twice: into an empty database, then the same
// file again (the daily case: nothing changed, nothing rewritten).
// Baseline: the original plan's ORM code, per row Prisma findUnique then create or update, on a slice of the same
// file (BENCH_BASELINE_LINES, default 2,000 lines), extrapolated by rows/s.
// Limit, same run (issue 16): what PostgreSQL itself can do with the same rows, nothing else. Every row the ingest
// wrote is COPYed (CSV) into an unindexed staging table and merged into the real tables, with their real indexes, by
// one INSERT ... ON CONFLICT DO UPDATE ... WHERE IS DISTINCT FROM per table, into a shop of its own: once into no
// rows (the empty case), then the same rows again (the unchanged daily re-ingest). No parsing, no deletions.
// Goals (issue 4): the full file in under 60 s, peak memory under 300 MB, at least 20x the baseline; (issue 16) the
// ingest within 1.5x of the limit into an empty database and within 1.2x on the unchanged re-ingest.
// Sizes: BENCH_PRODUCTS (default 100,000), BENCH_VARIANTS_PER_PRODUCT (default 3).

export const name = "product-sync";
export const description =
  "Bulk export ingest over HTTP (100k products x 3 variants) vs per-row Prisma findUnique+create/update";

const SHOP = "product-bench.myshopify.com";
const BASELINE_SHOP = "product-bench-baseline.myshopify.com";
const LIMIT_SHOP = "product-bench-limit.myshopify.com";
const execFileAsync = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

interface ChildResult {
  summary: {
    timingsMs: Record<string, number>;
    linesRead: number;
    productsWritten: number;
    variantsWritten: number;
    productsStaged: number;
    variantsStaged: number;
    malformedCount: number;
    unchangedLines: number;
  };
  seconds: number;
  peakRssMb: number;
}

async function ingestInChild(url: string, databaseUrl: string): Promise<ChildResult> {
  const { stdout } = await execFileAsync(
    path.join(root, "node_modules/.bin/tsx"),
    ["bench/product-sync-ingest-child.ts", url, SHOP],
    {
      cwd: root,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]) as ChildResult;
}

async function graphql<T>(
  endpoint: string,
  token: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<T> {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Shopify-Access-Token": token },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown };
  if (!body.data) throw new Error(`GraphQL failed: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** The original plan's per-row save: findUnique, then create or update, one row at a time. */
async function perRowBaseline(url: string, maxLines: number): Promise<{ rows: number; seconds: number }> {
  const started = performance.now();
  let rows = 0;
  for await (const line of readJsonlLines(await fetchResultFile(url))) {
    if (rows >= maxLines) break;
    if (line.text === null) continue;
    const parsed = parseBulkExportLine(line.text);
    if (parsed.kind === "product") {
      const key = { shop_id: { shop: BASELINE_SHOP, id: BigInt(parsed.id) } };
      const data = {
        title: parsed.title,
        handle: parsed.handle,
        vendor: parsed.vendor,
        productType: parsed.productType,
        status: parsed.status,
        tags: parsed.tags ?? [],
        shopifyUpdatedAt: parsed.updatedAt ? new Date(parsed.updatedAt) : null,
        syncedAt: new Date(),
      };
      const existing = await prisma.product.findUnique({ where: key });
      if (existing) await prisma.product.update({ where: key, data });
      else await prisma.product.create({ data: { shop: BASELINE_SHOP, id: BigInt(parsed.id), ...data } });
    } else if (parsed.kind === "variant") {
      const key = { shop_id: { shop: BASELINE_SHOP, id: BigInt(parsed.id) } };
      const data = {
        productId: BigInt(parsed.productId),
        title: parsed.title,
        sku: parsed.sku,
        price: parsed.price,
        compareAtPrice: parsed.compareAtPrice,
        inventoryItemId: parsed.inventoryItemId ? BigInt(parsed.inventoryItemId) : null,
        inventoryTracked: parsed.tracked ?? true,
        inventoryPolicy: parsed.inventoryPolicy ?? "DENY",
        shopifyUpdatedAt: parsed.updatedAt ? new Date(parsed.updatedAt) : null,
        syncedAt: new Date(),
      };
      const existing = await prisma.productVariant.findUnique({ where: key });
      if (existing) await prisma.productVariant.update({ where: key, data });
      else await prisma.productVariant.create({ data: { shop: BASELINE_SHOP, id: BigInt(parsed.id), ...data } });
    } else continue;
    rows++;
  }
  return { rows, seconds: (performance.now() - started) / 1000 };
}

const PRODUCT_COLUMNS = [
  "id",
  "title",
  "handle",
  "vendor",
  "product_type",
  "status",
  "tags",
  "listed",
  "shopify_updated_at",
];
const VARIANT_COLUMNS = [
  "id",
  "product_id",
  "title",
  "sku",
  "price",
  "compare_at_price",
  "inventory_item_id",
  "inventory_tracked",
  "inventory_policy",
  "shopify_updated_at",
];

/** The ingest's rows of `shop` as CSV, read once before the limit is timed. */
async function rowsAsCsv(pool: pg.Pool, table: string, columns: string[]): Promise<Buffer> {
  const client = await pool.connect();
  try {
    const chunks: Buffer[] = [];
    const stream = client.query(
      pgCopyStreams.to(
        `COPY (SELECT ${columns.join(", ")} FROM ${table} WHERE shop = '${SHOP}') TO STDOUT WITH (FORMAT csv)`,
      ),
    );
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  } finally {
    client.release();
  }
}

/**
 * The limit: the rows COPYed into temp staging tables and merged by one INSERT ... ON CONFLICT per table (unchanged
 * rows skipped, as the ingest skips them), in one transaction. Returns seconds and the rows written.
 */
async function mergeLimit(
  pool: pg.Pool,
  csv: { products: Buffer; variants: Buffer },
): Promise<{ seconds: number; written: number }> {
  const client = await pool.connect();
  const started = performance.now();
  try {
    await client.query("BEGIN");
    await client.query(`CREATE TEMP TABLE limit_product ON COMMIT DROP AS SELECT ${PRODUCT_COLUMNS.join(", ")} FROM product WITH NO DATA;
                        CREATE TEMP TABLE limit_variant ON COMMIT DROP AS SELECT ${VARIANT_COLUMNS.join(", ")} FROM product_variant WITH NO DATA`);
    for (const [table, columns, rows] of [
      ["limit_product", PRODUCT_COLUMNS, csv.products],
      ["limit_variant", VARIANT_COLUMNS, csv.variants],
    ] as const) {
      await pipeline(
        async function* () {
          yield rows;
        },
        client.query(pgCopyStreams.from(`COPY ${table} (${columns.join(", ")}) FROM STDIN WITH (FORMAT csv)`)),
      );
    }
    const set = (columns: readonly string[]) =>
      columns
        .filter((c) => c !== "id")
        .map((c) => `${c} = excluded.${c}`)
        .join(", ");
    const distinct = (alias: string, columns: readonly string[]) =>
      `(${columns
        .filter((c) => c !== "id")
        .map((c) => `${alias}.${c}`)
        .join(", ")}) IS DISTINCT FROM (${columns
        .filter((c) => c !== "id")
        .map((c) => `excluded.${c}`)
        .join(", ")})`;
    const products = await client.query(
      `INSERT INTO product AS t (shop, ${PRODUCT_COLUMNS.join(", ")}, synced_at) SELECT '${LIMIT_SHOP}', ${PRODUCT_COLUMNS.join(", ")}, now() FROM limit_product
       ON CONFLICT (shop, id) DO UPDATE SET ${set(PRODUCT_COLUMNS)}, synced_at = excluded.synced_at WHERE ${distinct("t", PRODUCT_COLUMNS)}`,
    );
    const variants = await client.query(
      `INSERT INTO product_variant AS t (shop, ${VARIANT_COLUMNS.join(", ")}, synced_at) SELECT '${LIMIT_SHOP}', ${VARIANT_COLUMNS.join(", ")}, now() FROM limit_variant
       ON CONFLICT (shop, id) DO UPDATE SET ${set(VARIANT_COLUMNS)}, synced_at = excluded.synced_at WHERE ${distinct("t", VARIANT_COLUMNS)}`,
    );
    await client.query("COMMIT");
    return {
      seconds: (performance.now() - started) / 1000,
      written: (products.rowCount ?? 0) + (variants.rowCount ?? 0),
    };
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

export async function run(options: { log: (line: string) => void }) {
  const { log } = options;
  const products = envNumber("BENCH_PRODUCTS", 100_000);
  const variantsPerProduct = envNumber("BENCH_VARIANTS_PER_PRODUCT", 3);
  const baselineLines = envNumber("BENCH_BASELINE_LINES", 2_000);

  const database = await openDedicatedDatabase("product_sync", log);
  const emulator = await startEmulator({ apiSecret: "bench-secret", bulkTiming: { startDelayMs: 0, minRunningMs: 0 } });
  try {
    log(`seeding the emulator: ${products} products x ${variantsPerProduct} variants`);
    const shop = emulator.control.createShop({ domain: SHOP, plan: "ENTERPRISE" });
    emulator.control.seedProducts({ shop: SHOP, products, variantsPerProduct, seed: 7 });
    const endpoint = emulator.graphqlUrl(SHOP);

    log("building the bulk export");
    const exportStarted = performance.now();
    const started = await graphql<{ bulkOperationRunQuery: { bulkOperation: { id: string } } }>(
      endpoint,
      shop.accessToken,
      BULK_OPERATION_RUN_QUERY,
      { query: BULK_PRODUCT_EXPORT_QUERY },
    );
    let operation: BulkOperationNode | null = null;
    for (;;) {
      operation = (
        await graphql<{ bulkOperation: BulkOperationNode }>(endpoint, shop.accessToken, BULK_OPERATION_QUERY, {
          id: started.bulkOperationRunQuery.bulkOperation.id,
        })
      ).bulkOperation;
      if (operation.status === "COMPLETED" || operation.status === "FAILED") break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (operation.status !== "COMPLETED" || !operation.url) throw new Error(`bulk export ${operation.status}`);
    const fileMb = Number(operation.fileSize ?? 0) / 1024 / 1024;
    log(
      `export ready in ${round((performance.now() - exportStarted) / 1000)} s: ${operation.objectCount} objects, ${round(fileMb)} MB`,
    );

    for (const shopDomain of [SHOP, BASELINE_SHOP]) {
      await database.pool.query(
        "INSERT INTO merchant_connection (shop, merchant_id, approval_status, updated_at) VALUES ($1, $1, 'APPROVED', now())",
        [shopDomain],
      );
    }

    log("ingest into an empty database (child process)");
    const first = await ingestInChild(operation.url, database.url);
    log(
      `  ${first.summary.linesRead} lines in ${round(first.seconds, 2)} s, peak ${round(first.peakRssMb)} MB, ms: ${JSON.stringify(first.summary.timingsMs)}`,
    );
    if (first.summary.linesRead !== Number(operation.objectCount)) {
      throw new Error(
        `the ingest read ${first.summary.linesRead} lines of an export of ${operation.objectCount} objects`,
      );
    }
    log("ingest of the same file again (nothing changed)");
    const second = await ingestInChild(operation.url, database.url);
    log(
      `  ${round(second.seconds, 2)} s, ${second.summary.productsWritten + second.summary.variantsWritten} rows rewritten, ${second.summary.unchangedLines} lines unchanged, ms: ${JSON.stringify(second.summary.timingsMs)}`,
    );

    log("limit: the same rows COPYed into staging and merged by one INSERT ... ON CONFLICT per table");
    const csv = {
      products: await rowsAsCsv(database.pool, "product", PRODUCT_COLUMNS),
      variants: await rowsAsCsv(database.pool, "product_variant", VARIANT_COLUMNS),
    };
    await database.pool.query("VACUUM ANALYZE product");
    await database.pool.query("VACUUM ANALYZE product_variant");
    const limitEmpty = await mergeLimit(database.pool, csv);
    await database.pool.query("VACUUM ANALYZE product");
    await database.pool.query("VACUUM ANALYZE product_variant");
    const limitUnchanged = await mergeLimit(database.pool, csv);
    log(
      `  ${round(limitEmpty.seconds, 2)} s into no rows, ${round(limitUnchanged.seconds, 2)} s unchanged (${limitUnchanged.written} rewritten)`,
    );

    log(`baseline: per-row Prisma findUnique + create/update on the first ${baselineLines} lines`);
    const baseline = await perRowBaseline(operation.url, baselineLines);
    const rowsTotal = first.summary.productsStaged + first.summary.variantsStaged;
    const ingestRowsPerSecond = rowsTotal / first.seconds;
    const baselineRowsPerSecond = baseline.rows / baseline.seconds;
    const ratio = ingestRowsPerSecond / baselineRowsPerSecond;
    const ofLimitEmpty = first.seconds / limitEmpty.seconds;
    const ofLimitUnchanged = second.seconds / limitUnchanged.seconds;
    const met =
      first.seconds < 60 && first.peakRssMb < 300 && ratio >= 20 && ofLimitEmpty <= 1.5 && ofLimitUnchanged <= 1.2;
    return {
      figures: {
        products: first.summary.productsStaged,
        variants: first.summary.variantsStaged,
        "file MB": round(fileMb),
        "ingest s (empty DB)": round(first.seconds, 2),
        "rows/s": Math.round(ingestRowsPerSecond),
        "peak RSS MB": round(first.peakRssMb),
        "re-ingest s (unchanged)": round(second.seconds, 2),
        "re-ingest rows rewritten": second.summary.productsWritten + second.summary.variantsWritten,
        "re-ingest peak RSS MB": round(second.peakRssMb),
        "re-ingest lines unchanged (not staged)": second.summary.unchangedLines,
        "stage ms (staging/prepare/merge/deletions)": Object.values(first.summary.timingsMs).join(" / "),
        "re-ingest stage ms": Object.values(second.summary.timingsMs).join(" / "),
      },
      baseline: {
        "limit s (COPY + one upsert per table, empty)": round(limitEmpty.seconds, 2),
        "limit s (the same rows unchanged)": round(limitUnchanged.seconds, 2),
        "ingest / limit (empty; goal <= 1.5)": round(ofLimitEmpty, 2),
        "re-ingest / limit (unchanged; goal <= 1.2)": round(ofLimitUnchanged, 2),
        "rows (slice)": baseline.rows,
        "seconds (slice)": round(baseline.seconds, 2),
        "rows/s": round(baselineRowsPerSecond),
        "extrapolated s for the file": Math.round(rowsTotal / baselineRowsPerSecond),
      },
      ratio: round(ratio),
      goal: "full file < 60 s, peak memory < 300 MB, >= 20x the per-row baseline, within 1.5x of the limit (empty) and 1.2x (unchanged)",
      met,
    };
  } finally {
    await emulator.stop();
    await database.close();
  }
}
