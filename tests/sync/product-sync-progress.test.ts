import { describe, expect, it } from "vitest";
import { pgPool } from "../../app/db.server";
import { ingestBulkExport, type IngestProgress } from "../../app/sync/bulk-export-ingest.server";
import { lastFinishedProductSync, productSyncsInProgress } from "../../app/sync/product-sync-progress.server";
import { catalogue, chunked } from "./export-fixtures";
import { createConnection } from "../support/merchants";

// Where a long product sync stands: Shopify building the export, the import (lines read of the export's count),
// the merge; and what the last finished one changed.

async function operation(id: number, shop: string, fields: Record<string, unknown>) {
  const columns = ["id", "shop", ...Object.keys(fields)];
  const values = [id, shop, ...Object.values(fields)];
  await pgPool().query(
    `INSERT INTO bulk_operation (${columns.join(", ")}) VALUES (${values.map((_, i) => `$${i + 1}`).join(", ")})`,
    values,
  );
}

describe("product sync progress", () => {
  it("names each stage with its counts, newest first; finished, failed-and-handled and stale exports are not in progress", async () => {
    await operation(1, "exporting.myshopify.com", { status: "RUNNING", object_count: 1200 });
    await operation(2, "importing.myshopify.com", {
      status: "COMPLETED",
      object_count: 5000,
      ingest_stage: "IMPORTING",
      lines_read: 1800,
      progress_at: new Date(),
    });
    await operation(3, "merging.myshopify.com", {
      status: "COMPLETED",
      object_count: 5000,
      ingest_stage: "MERGING",
      lines_read: 5000,
    });
    await operation(4, "done.myshopify.com", {
      status: "COMPLETED",
      object_count: 30,
      ingest_stage: "MERGING",
      lines_read: 30,
      ingested_at: new Date(),
      summary: { linesRead: 30, productsWritten: 7, productsDeleted: 2, variantsWritten: 20, variantsDeleted: 3 },
    });
    await operation(5, "failed.myshopify.com", { status: "FAILED", error: "Bulk export FAILED with TIMEOUT" });
    await operation(6, "stale.myshopify.com", {
      status: "RUNNING",
      started_at: new Date(Date.now() - 11 * 86_400_000),
    });

    const progress = await productSyncsInProgress();
    expect(progress.map((p) => [p.shop, p.stage, p.objectCount, p.linesRead])).toEqual([
      ["merging.myshopify.com", "merging", 5000, 5000],
      ["importing.myshopify.com", "importing", 5000, 1800],
      ["exporting.myshopify.com", "exporting", 1200, null],
    ]);
    expect(await productSyncsInProgress({ shop: "importing.myshopify.com" })).toHaveLength(1);
    expect(await productSyncsInProgress({ shop: "done.myshopify.com" })).toEqual([]);
    expect(await lastFinishedProductSync("done.myshopify.com")).toMatchObject({
      operationId: "4",
      linesRead: 30,
      productsWritten: 7,
      productsDeleted: 2,
      variantsWritten: 20,
      variantsDeleted: 3,
    });
    expect(await lastFinishedProductSync("exporting.myshopify.com")).toBeNull();
  });

  it("the ingest reports the import from its first line and the merge with every line read", async () => {
    const shop = "progress-ingest.myshopify.com";
    await createConnection(shop);
    const lines = catalogue(40, 2);
    const reports: IngestProgress[] = [];
    const summary = await ingestBulkExport({
      shop,
      source: chunked(lines),
      complete: true,
      onProgress: (p) => void reports.push(p),
    });
    expect(reports[0]).toEqual({ stage: "IMPORTING", linesRead: 0 });
    expect(reports.at(-1)).toEqual({ stage: "MERGING", linesRead: lines.length });
    expect(summary.linesRead).toBe(lines.length);
  });
});
