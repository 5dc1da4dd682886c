import { describe, expect, it } from "vitest";
import { pgPool } from "../../app/db.server";
import { ingestBulkExport } from "../../app/sync/bulk-export-ingest.server";
import { catalogue, chunked, productLine, variantLine } from "./export-fixtures";
import { createConnection } from "../support/merchants";

// The re-ingest skips a line whose hash the row already holds (product.export_hash, migration
// 20261201214000_export_line_hash). Skipping is only right while the row is exactly what the line would make of it;
// each test here changes the row another way and checks that the next ingest of the same file still repairs it.

async function snapshot(shop: string) {
  const products = await pgPool().query(
    `SELECT id::text, title, status, listed, deleted_at IS NOT NULL AS deleted FROM product WHERE shop = $1 ORDER BY id`,
    [shop],
  );
  const variants = await pgPool().query(
    `SELECT id::text, product_id::text, sku, price::text, deleted_at IS NOT NULL AS deleted
       FROM product_variant WHERE shop = $1 ORDER BY id`,
    [shop],
  );
  return { products: products.rows, variants: variants.rows };
}

async function ingest(shop: string, lines: string[]) {
  return ingestBulkExport({ shop, source: chunked(lines), complete: true, productBatchSize: 2 });
}

describe("the re-ingest of unchanged lines", () => {
  it("stages nothing of an unchanged file, writes nothing, and keeps every row (none taken for absent)", async () => {
    const shop = "unchanged-file.myshopify.com";
    await createConnection(shop, { selectionMode: "ALL" });
    const lines = catalogue(5, 2);
    const first = await ingest(shop, lines);
    expect(first).toMatchObject({ unchangedLines: 0, productsWritten: 5, variantsWritten: 10 });
    const rows = await snapshot(shop);

    const second = await ingest(shop, lines);
    expect(second).toMatchObject({
      unchangedLines: 15,
      productsStaged: 5,
      variantsStaged: 10,
      productsWritten: 0,
      variantsWritten: 0,
      productsDeleted: 0,
      variantsDeleted: 0,
      orphanVariants: 0,
    });
    expect(await snapshot(shop)).toEqual(rows);
  });

  it("merges a changed variant of an unchanged product, and a changed product of unchanged variants", async () => {
    const shop = "one-changed.myshopify.com";
    await createConnection(shop);
    const lines = catalogue(3, 2);
    await ingest(shop, lines);
    const changed = lines.map((line) =>
      line === variantLine(201, 2)
        ? variantLine(201, 2, { price: "25.00" })
        : line === productLine(3)
          ? productLine(3, { title: "Renamed", updatedAt: "2026-11-02T10:00:00Z" })
          : line,
    );
    const summary = await ingest(shop, changed);
    expect(summary).toMatchObject({ unchangedLines: 7, productsWritten: 1, variantsWritten: 1, orphanVariants: 0 });
    const { products, variants } = await snapshot(shop);
    expect(variants.find((v) => v.id === "201")).toMatchObject({ price: "25.00", deleted: false });
    expect(products.find((p) => p.id === "3")).toMatchObject({ title: "Renamed" });
  });

  it("repairs a row something else changed since (a webhook, a repair): the trigger cleared its hash", async () => {
    const shop = "changed-elsewhere.myshopify.com";
    await createConnection(shop);
    const lines = catalogue(2, 2);
    await ingest(shop, lines);
    const rows = await snapshot(shop);
    await pgPool().query("UPDATE product SET title = 'Edited' WHERE shop = $1 AND id = 1", [shop]);
    await pgPool().query("UPDATE product_variant SET price = 1, sku = 'X' WHERE shop = $1 AND id = 200", [shop]);
    // A stock update names no column of the line: the hash stays (and the update stays HOT).
    await pgPool().query("UPDATE product_variant SET available_quantity = 7 WHERE shop = $1 AND id = 201", [shop]);

    const summary = await ingest(shop, lines);
    expect(summary).toMatchObject({ unchangedLines: 4, productsWritten: 1, variantsWritten: 1 });
    expect(await snapshot(shop)).toEqual(rows);
  });

  it("brings back a soft-deleted product and variant that are in the file again", async () => {
    const shop = "deleted-then-back.myshopify.com";
    await createConnection(shop);
    const lines = catalogue(2, 2);
    await ingest(shop, lines);
    const rows = await snapshot(shop);
    // Soft deletion (a products/delete webhook, an export without them) touches no column of the line.
    await pgPool().query("UPDATE product SET deleted_at = now(), listed = false WHERE shop = $1 AND id = 2", [shop]);
    await pgPool().query("UPDATE product_variant SET deleted_at = now() WHERE shop = $1 AND id = 100", [shop]);

    const summary = await ingest(shop, lines);
    expect(summary).toMatchObject({ productsWritten: 1, variantsWritten: 1 });
    expect(await snapshot(shop)).toEqual(rows);
  });

  it("sets `listed` again when it disagrees with the selection, the line unchanged", async () => {
    const shop = "listed-wrong.myshopify.com";
    await createConnection(shop, { selectionMode: "ALL" });
    const lines = catalogue(2, 1);
    await ingest(shop, lines);
    const rows = await snapshot(shop);
    expect(rows.products.every((p) => p.listed)).toBe(true);
    await pgPool().query("UPDATE product SET listed = false WHERE shop = $1 AND id = 1", [shop]);

    const summary = await ingest(shop, lines);
    expect(summary).toMatchObject({ productsWritten: 1, variantsWritten: 0 });
    expect(await snapshot(shop)).toEqual(rows);
  });

  it("gives rows written without a hash (by a webhook, or before hashes existed) the line's, once", async () => {
    const shop = "no-hash-yet.myshopify.com";
    await createConnection(shop);
    const lines = catalogue(2, 2);
    await ingest(shop, lines);
    await pgPool().query("UPDATE product SET export_hash = NULL WHERE shop = $1", [shop]);
    await pgPool().query("UPDATE product_variant SET export_hash = NULL WHERE shop = $1", [shop]);

    expect(await ingest(shop, lines)).toMatchObject({ unchangedLines: 0, productsWritten: 2, variantsWritten: 4 });
    expect(await ingest(shop, lines)).toMatchObject({ unchangedLines: 6, productsWritten: 0, variantsWritten: 0 });
  });

  it("an unchanged line after a changed line of the same object wins (it is staged, not skipped)", async () => {
    const shop = "changed-then-unchanged.myshopify.com";
    await createConnection(shop);
    const lines = catalogue(2, 1);
    await ingest(shop, lines);
    const rows = await snapshot(shop);
    const later = (line: string) => line.replace("2026-11-01T10:00:00Z", "2026-11-02T10:00:00Z");
    const file = [
      later(productLine(1, { title: "Stale" })),
      later(variantLine(100, 1, { price: "5.00" })),
      ...lines, // the lines the rows hold, after: the last line of each object wins
    ];
    const summary = await ingest(shop, file);
    expect(summary).toMatchObject({ unchangedLines: 2, productsStaged: 2, variantsStaged: 2, orphanVariants: 0 });
    expect(await snapshot(shop)).toEqual(rows);
  });

  it("places a changed variant under its unchanged product wherever the product's line is, and counts orphans", async () => {
    const shop = "variant-before-product.myshopify.com";
    await createConnection(shop);
    await ingest(shop, catalogue(2, 1));
    const file = [
      variantLine(100, 1, { price: "7.00" }), // changed, before its unchanged product's line
      productLine(1),
      productLine(2),
      variantLine(200, 2),
      variantLine(900, 9), // product 9 has no line in the file: an orphan, not written
    ];
    const summary = await ingest(shop, file);
    expect(summary).toMatchObject({
      unchangedLines: 3,
      productsStaged: 2,
      variantsStaged: 2,
      variantsWritten: 1,
      orphanVariants: 1,
      productsDeleted: 0,
      variantsDeleted: 0,
    });
    const { variants } = await snapshot(shop);
    expect(variants.map((v) => [v.id, v.price])).toEqual([
      ["100", "7.00"],
      ["200", "19.99"],
    ]);
  });

  it("does not take for absent a row whose unchanged line was read, though a webhook cleared its hash meanwhile", async () => {
    const shop = "hash-cleared-midway.myshopify.com";
    await createConnection(shop);
    const lines = catalogue(2, 1);
    await ingest(shop, lines);
    // A webhook's edit during the ingest, after the file was read: the trigger clears the row's hash. The deletions
    // judge by what was read (the line was there, unchanged), not by the hash the row holds by then.
    const summary = await ingestBulkExport({
      shop,
      source: chunked(lines),
      complete: true,
      onProgress: async ({ stage }) => {
        if (stage !== "MERGING") return;
        await pgPool().query("UPDATE product SET title = 'Webhook' WHERE shop = $1 AND id = 1", [shop]);
        await pgPool().query("UPDATE product_variant SET sku = 'W' WHERE shop = $1 AND id = 200", [shop]);
      },
    });
    expect(summary).toMatchObject({ unchangedLines: 4, productsDeleted: 0, variantsDeleted: 0 });
    const { products, variants } = await snapshot(shop);
    expect(products.filter((p) => p.deleted)).toEqual([]);
    expect(variants.filter((v) => v.deleted)).toEqual([]);
  });

  it("stages tags as a text[] literal that keeps quotes, backslashes, commas, braces and empty tags", async () => {
    const shop = "odd-tags.myshopify.com";
    await createConnection(shop);
    const tags = ['say "hi"', "back\\slash", "a,b", "{braced}", "", "NULL", " spaced "];
    await ingest(shop, [productLine(1, { tags }), variantLine(100, 1)]);
    const { rows } = await pgPool().query("SELECT tags FROM product WHERE shop = $1", [shop]);
    expect(rows[0].tags).toEqual(tags);
  });
});
