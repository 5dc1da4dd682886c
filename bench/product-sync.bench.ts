import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { prisma } from "../app/db.server";
import { parseBulkExportLine } from "../app/sync/bulk-export-line";
import { fetchResultFile } from "../app/sync/finish-product-export.server";
import { readJsonlLines } from "../app/sync/jsonl-reader";
import { BULK_OPERATION_QUERY, BULK_OPERATION_RUN_QUERY, BULK_PRODUCT_EXPORT_QUERY, type BulkOperationNode } from "../app/shopify-admin/operations";
import { startEmulator } from "../emulator";
import { envNumber, openDedicatedDatabase } from "./dedicated-database";

// The daily product sync's ingest: a 100,000-product / 300,000-variant bulk export built by the Shopify emulator
// and streamed over HTTP into PostgreSQL (COPY into staging, per-batch set-based merges), measured in a child
// process of its own so its peak memory is not the emulator's. Run twice: into an empty database, then the same
// file again (the daily case: nothing changed, nothing rewritten).
// Baseline: the original plan's ORM code, per row Prisma findUnique then create or update, on a slice of the same
// file (BENCH_BASELINE_LINES, default 2,000 lines), extrapolated by rows/s.
// Goals (issue 4): the full file in under 60 s, peak memory under 300 MB, at least 20x the baseline.
// Sizes: BENCH_PRODUCTS (default 100,000), BENCH_VARIANTS_PER_PRODUCT (default 3).

export const name = "product-sync";
export const description = "Bulk export ingest over HTTP (100k products x 3 variants) vs per-row Prisma findUnique+create/update";

const SHOP = "product-bench.myshopify.com";
const BASELINE_SHOP = "product-bench-baseline.myshopify.com";
const execFileAsync = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

interface ChildResult {
  summary: { timingsMs: Record<string, number>; linesRead: number; productsWritten: number; variantsWritten: number; productsStaged: number; variantsStaged: number; malformedCount: number };
  seconds: number;
  peakRssMb: number;
}

async function ingestInChild(url: string, databaseUrl: string): Promise<ChildResult> {
  const { stdout } = await execFileAsync(path.join(root, "node_modules/.bin/tsx"), ["bench/product-sync-ingest-child.ts", url, SHOP], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    maxBuffer: 16 * 1024 * 1024,
  });
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]) as ChildResult;
}

async function graphql<T>(endpoint: string, token: string, query: string, variables: Record<string, unknown>): Promise<T> {
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
        title: parsed.title, handle: parsed.handle, vendor: parsed.vendor, productType: parsed.productType,
        status: parsed.status, tags: parsed.tags ?? [], shopifyUpdatedAt: parsed.updatedAt ? new Date(parsed.updatedAt) : null,
        syncedAt: new Date(),
      };
      const existing = await prisma.product.findUnique({ where: key });
      if (existing) await prisma.product.update({ where: key, data });
      else await prisma.product.create({ data: { shop: BASELINE_SHOP, id: BigInt(parsed.id), ...data } });
    } else if (parsed.kind === "variant") {
      const key = { shop_id: { shop: BASELINE_SHOP, id: BigInt(parsed.id) } };
      const data = {
        productId: BigInt(parsed.productId), title: parsed.title, sku: parsed.sku, price: parsed.price,
        compareAtPrice: parsed.compareAtPrice, inventoryItemId: parsed.inventoryItemId ? BigInt(parsed.inventoryItemId) : null,
        inventoryTracked: parsed.tracked ?? true, inventoryPolicy: parsed.inventoryPolicy ?? "DENY", shopifyUpdatedAt: parsed.updatedAt ? new Date(parsed.updatedAt) : null,
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
      endpoint, shop.accessToken, BULK_OPERATION_RUN_QUERY, { query: BULK_PRODUCT_EXPORT_QUERY },
    );
    let operation: BulkOperationNode | null = null;
    for (;;) {
      operation = (await graphql<{ bulkOperation: BulkOperationNode }>(endpoint, shop.accessToken, BULK_OPERATION_QUERY, { id: started.bulkOperationRunQuery.bulkOperation.id })).bulkOperation;
      if (operation.status === "COMPLETED" || operation.status === "FAILED") break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    if (operation.status !== "COMPLETED" || !operation.url) throw new Error(`bulk export ${operation.status}`);
    const fileMb = Number(operation.fileSize ?? 0) / 1024 / 1024;
    log(`export ready in ${round((performance.now() - exportStarted) / 1000)} s: ${operation.objectCount} objects, ${round(fileMb)} MB`);

    for (const shopDomain of [SHOP, BASELINE_SHOP]) {
      await database.pool.query(
        "INSERT INTO merchant_connection (shop, merchant_id, approval_status, updated_at) VALUES ($1, $1, 'APPROVED', now())",
        [shopDomain],
      );
    }

    log("ingest into an empty database (child process)");
    const first = await ingestInChild(operation.url, database.url);
    log(`  ${first.summary.linesRead} lines in ${round(first.seconds, 2)} s, peak ${round(first.peakRssMb)} MB, ms: ${JSON.stringify(first.summary.timingsMs)}`);
    if (first.summary.linesRead !== Number(operation.objectCount)) {
      throw new Error(`the ingest read ${first.summary.linesRead} lines of an export of ${operation.objectCount} objects`);
    }
    log("ingest of the same file again (nothing changed)");
    const second = await ingestInChild(operation.url, database.url);
    log(`  ${round(second.seconds, 2)} s, ${second.summary.productsWritten + second.summary.variantsWritten} rows rewritten`);

    log(`baseline: per-row Prisma findUnique + create/update on the first ${baselineLines} lines`);
    const baseline = await perRowBaseline(operation.url, baselineLines);
    const rowsTotal = first.summary.productsStaged + first.summary.variantsStaged;
    const ingestRowsPerSecond = rowsTotal / first.seconds;
    const baselineRowsPerSecond = baseline.rows / baseline.seconds;
    const ratio = ingestRowsPerSecond / baselineRowsPerSecond;
    const met = first.seconds < 60 && first.peakRssMb < 300 && ratio >= 20;
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
        "stage ms (staging/prepare/merge/deletions)": Object.values(first.summary.timingsMs).join(" / "),
      },
      baseline: {
        "rows (slice)": baseline.rows,
        "seconds (slice)": round(baseline.seconds, 2),
        "rows/s": round(baselineRowsPerSecond),
        "extrapolated s for the file": Math.round(rowsTotal / baselineRowsPerSecond),
      },
      ratio: round(ratio),
      goal: "full file < 60 s, peak memory < 300 MB, >= 20x the per-row baseline",
      met,
    };
  } finally {
    await emulator.stop();
    await database.close();
  }
}
