import { describe, expect, it } from "vitest";
import { pgPool, prisma } from "../../app/db.server";
import { ingestBulkExport, UnknownShopError } from "../../app/sync/bulk-export-ingest.server";
import { catalogue, chunked, gid, productLine, variantLine } from "./export-fixtures";
import { createConnection } from "../support/merchants";

async function rowsOf(shop: string) {
  const products = await pgPool().query(
    `SELECT id::text, title, status, tags, selected, listed, deleted_at IS NOT NULL AS deleted, shopify_updated_at
       FROM product WHERE shop = $1 ORDER BY product.id`,
    [shop],
  );
  const variants = await pgPool().query(
    `SELECT id::text, product_id::text, title, sku, price::text, compare_at_price::text, inventory_item_id::text,
            available_quantity, deleted_at IS NOT NULL AS deleted
       FROM product_variant WHERE shop = $1 ORDER BY product_variant.id`,
    [shop],
  );
  return { products: products.rows, variants: variants.rows };
}

describe("ingestBulkExport", () => {
  it("writes products and variants, and the same file twice leaves the same rows (writing nothing the second time)", async () => {
    const shop = "idempotent.myshopify.com";
    await createConnection(shop);
    const lines = catalogue(7, 3);
    const first = await ingestBulkExport({ shop, source: chunked(lines), complete: true, productBatchSize: 3 });
    expect(first).toMatchObject({
      linesRead: 28,
      productsWritten: 7,
      variantsWritten: 21,
      productsDeleted: 0,
      variantsDeleted: 0,
      batches: 3,
      malformedCount: 0,
      orphanVariants: 0,
    });
    const afterFirst = await rowsOf(shop);
    expect(afterFirst.products).toHaveLength(7);
    expect(afterFirst.variants).toHaveLength(21);
    // No quantity from the export (a total over every location): none read yet for these items.
    expect(afterFirst.variants[0]).toMatchObject({
      product_id: "1",
      price: "19.99",
      inventory_item_id: "1000100",
      available_quantity: null,
    });

    const second = await ingestBulkExport({ shop, source: chunked(lines), complete: true, productBatchSize: 3 });
    expect(second).toMatchObject({ productsWritten: 0, variantsWritten: 0, productsDeleted: 0, variantsDeleted: 0 });
    expect(await rowsOf(shop)).toEqual(afterFirst);
  });

  it("groups variants under their product wherever they come in the file", async () => {
    const shop = "scattered.myshopify.com";
    await createConnection(shop);
    const lines = [
      productLine(1),
      productLine(2),
      variantLine(21, 2),
      productLine(3),
      variantLine(11, 1),
      variantLine(31, 3),
      variantLine(12, 1),
    ];
    const summary = await ingestBulkExport({
      shop,
      source: chunked(lines, 13, false),
      complete: true,
      productBatchSize: 1,
    });
    expect(summary).toMatchObject({ productsWritten: 3, variantsWritten: 4, batches: 3 });
    const { variants } = await rowsOf(shop);
    expect(variants.map((v) => [v.id, v.product_id])).toEqual([
      ["11", "1"],
      ["12", "1"],
      ["21", "2"],
      ["31", "3"],
    ]);
  });

  it("soft-deletes products and variants absent from a complete export, never from a partial one", async () => {
    const shop = "deletions.myshopify.com";
    await createConnection(shop);
    await ingestBulkExport({ shop, source: chunked(catalogue(3, 2)), complete: true });
    // Product 3 gone; variant 101 of product 1 gone.
    const smaller = [productLine(1), productLine(2), variantLine(100, 1), variantLine(200, 2), variantLine(201, 2)];

    const partial = await ingestBulkExport({ shop, source: chunked(smaller), complete: false });
    expect(partial).toMatchObject({ productsDeleted: 0, variantsDeleted: 0 });
    expect((await rowsOf(shop)).products.filter((p) => p.deleted)).toHaveLength(0);

    const complete = await ingestBulkExport({ shop, source: chunked(smaller), complete: true });
    expect(complete).toMatchObject({ productsDeleted: 1, variantsDeleted: 3 }); // 101, and 300 + 301 with product 3
    const { products, variants } = await rowsOf(shop);
    expect(products.filter((p) => p.deleted).map((p) => p.id)).toEqual(["3"]);
    expect(variants.filter((v) => v.deleted).map((v) => v.id)).toEqual(["101", "300", "301"]);

    // Back in the next export: restored.
    await ingestBulkExport({ shop, source: chunked(catalogue(3, 2)), complete: true });
    expect((await rowsOf(shop)).variants.filter((v) => v.deleted)).toHaveLength(0);
  });

  it("a download cut short (fewer lines than Shopify's objectCount) deletes nothing", async () => {
    const shop = "truncated.myshopify.com";
    await createConnection(shop);
    await ingestBulkExport({ shop, source: chunked(catalogue(3, 1)), complete: true });
    const summary = await ingestBulkExport({
      shop,
      source: chunked(catalogue(1, 1)),
      complete: true,
      expectedLines: 6,
    });
    expect(summary).toMatchObject({
      truncated: true,
      productsDeleted: 0,
      variantsDeleted: 0,
      deletionsSkippedReason: "read 2 lines of an export of 6 objects",
    });
  });

  it("an empty complete export soft-deletes the whole catalogue", async () => {
    const shop = "emptied.myshopify.com";
    await createConnection(shop);
    await ingestBulkExport({ shop, source: chunked(catalogue(2, 1)), complete: true });
    const summary = await ingestBulkExport({ shop, source: chunked([]), complete: true });
    expect(summary).toMatchObject({ linesRead: 0, productsDeleted: 2, variantsDeleted: 2 });
  });

  it("skips unknown types by type, records malformed lines by number, keeps going, and leaves missing fields null", async () => {
    const shop = "messy.myshopify.com";
    await createConnection(shop);
    const lines = [
      productLine(1),
      JSON.stringify({ id: gid("MediaImage", 5), __parentId: gid("Product", 1) }),
      JSON.stringify({ id: gid("Metafield", 6), __parentId: gid("Product", 1) }),
      JSON.stringify({ id: gid("Metafield", 7), __parentId: gid("Product", 1) }),
      "{not json",
      variantLine(10, 1, { price: "abc" }),
      JSON.stringify({ id: gid("Product", 2) }), // only an id: every other field null
      variantLine(20, 2, { sku: null, compareAtPrice: "25.00" }),
      productLine(3, { status: "SOMETHING_NEW" }),
      variantLine(99, 404), // its product is nowhere in the file
    ];
    const summary = await ingestBulkExport({ shop, source: chunked(lines), complete: true });
    expect(summary).toMatchObject({
      linesRead: 10,
      productsWritten: 2,
      variantsWritten: 1,
      orphanVariants: 1,
      skippedByType: { MediaImage: 1, Metafield: 2 },
      malformedCount: 3,
      deletionsSkippedReason: expect.stringContaining("1 malformed line"),
    });
    expect(summary.malformedLines.map((m) => m.line)).toEqual([5, 6, 9]);
    expect(summary.malformedLines[0].error).toMatch(/invalid JSON/);
    expect(summary.malformedLines[1].error).toMatch(/price/);
    const { products, variants } = await rowsOf(shop);
    expect(products[1]).toMatchObject({ id: "2", title: null, status: null, shopify_updated_at: null, listed: false });
    expect(variants).toEqual([expect.objectContaining({ id: "20", sku: null, compare_at_price: "25.00" })]);
  });

  it("a damaged line that still names its product protects it from deletion", async () => {
    const shop = "damaged.myshopify.com";
    await createConnection(shop);
    await ingestBulkExport({ shop, source: chunked(catalogue(2, 1)), complete: true });
    const lines = [
      productLine(1),
      variantLine(100, 1),
      productLine(2, { tags: "oops" }),
      variantLine(200, 2, { price: [] }),
    ];
    const summary = await ingestBulkExport({ shop, source: chunked(lines), complete: true });
    expect(summary).toMatchObject({
      malformedCount: 2,
      deletionsSkippedReason: null,
      productsDeleted: 0,
      variantsDeleted: 0,
    });
  });

  it("keeps `selected` and derives `listed` from it, the status and the shop's selection mode", async () => {
    const chosen = "chosen.myshopify.com";
    const all = "all.myshopify.com";
    await createConnection(chosen, { selectionMode: "CHOSEN" });
    await createConnection(all, { selectionMode: "ALL" });
    const lines = [productLine(1), productLine(2), productLine(3, { status: "DRAFT" })];
    await ingestBulkExport({ shop: chosen, source: chunked(lines), complete: true });
    await ingestBulkExport({ shop: all, source: chunked(lines), complete: true });
    await pgPool().query("UPDATE product SET selected = true WHERE shop = $1 AND id IN (1, 3)", [chosen]);
    await ingestBulkExport({
      shop: chosen,
      source: chunked([
        productLine(1, { title: "new" }),
        productLine(2),
        productLine(3, { status: "DRAFT", title: "x" }),
      ]),
      complete: true,
    });
    const listedChosen = (await rowsOf(chosen)).products.map((p) => [p.id, p.selected, p.listed]);
    expect(listedChosen).toEqual([
      ["1", true, true],
      ["2", false, false],
      ["3", true, false],
    ]);
    const listedAll = (await rowsOf(all)).products.map((p) => [p.id, p.listed]);
    expect(listedAll).toEqual([
      ["1", true],
      ["2", true],
      ["3", false],
    ]);
  });

  it("never overwrites a row Shopify updated after the line's version, nor resurrects a later deletion", async () => {
    const shop = "newer.myshopify.com";
    await createConnection(shop);
    await ingestBulkExport({
      shop,
      source: chunked([productLine(1, { updatedAt: "2026-11-05T00:00:00Z", title: "newer" }), productLine(2)]),
      complete: true,
    });
    await pgPool().query("UPDATE product SET deleted_at = '2026-11-04T00:00:00Z' WHERE shop = $1 AND id = 2", [shop]);
    const summary = await ingestBulkExport({
      shop,
      source: chunked([productLine(1, { title: "older" }), productLine(2)]),
      complete: true,
      snapshotStartedAt: new Date("2026-11-03T00:00:00Z"),
    });
    expect(summary.productsWritten).toBe(0);
    const { products } = await rowsOf(shop);
    expect(products.map((p) => [p.title, p.deleted])).toEqual([
      ["newer", false],
      ["Product 2", true],
    ]);
  });

  it("on an updated_at tie, keeps what a webhook emitted after the snapshot began wrote, and replaces an earlier one's", async () => {
    const shop = "tie.myshopify.com";
    await createConnection(shop);
    const second = "2026-11-05T10:00:00Z";
    await ingestBulkExport({
      shop,
      source: chunked([productLine(1, { updatedAt: second }), productLine(2, { updatedAt: second })]),
      complete: true,
    });
    // Webhooks of two updates within that second wrote both products, one emitted before the next snapshot, one after.
    await pgPool().query(
      `UPDATE product SET title = 'from a webhook', webhook_triggered_at = CASE id WHEN 1 THEN '2026-11-05T10:00:00.2Z' ELSE '2026-11-05T10:00:00.9Z' END::timestamptz
        WHERE shop = $1`,
      [shop],
    );
    await ingestBulkExport({
      shop,
      source: chunked([
        productLine(1, { updatedAt: second, title: "from the export" }),
        productLine(2, { updatedAt: second, title: "from the export" }),
      ]),
      complete: true,
      snapshotStartedAt: new Date("2026-11-05T10:00:00.500Z"),
    });
    const { rows } = await pgPool().query<{ id: string; title: string; webhook_triggered_at: Date | null }>(
      "SELECT id::text, title, webhook_triggered_at FROM product WHERE shop = $1 ORDER BY id",
      [shop],
    );
    expect(rows).toEqual([
      { id: "1", title: "from the export", webhook_triggered_at: null },
      { id: "2", title: "from a webhook", webhook_triggered_at: new Date("2026-11-05T10:00:00.900Z") },
    ]);
  });

  it("a crash after some batches, then a retry, leaves exactly the right rows", async () => {
    const shop = "crash.myshopify.com";
    await createConnection(shop);
    await ingestBulkExport({ shop, source: chunked(catalogue(10, 2)), complete: true });
    // The new export: products 1-8 changed title, 9-10 gone, 11-12 new; all variants listed at the end.
    const lines = [
      ...Array.from({ length: 8 }, (_, i) =>
        productLine(i + 1, { title: `changed ${i + 1}`, updatedAt: "2026-11-02T00:00:00Z" }),
      ),
      productLine(11),
      productLine(12),
      ...[1, 2, 3, 4, 5, 6, 7, 8, 11, 12].flatMap((p) => [
        variantLine(p * 100, p, { price: "5.00" }),
        variantLine(p * 100 + 1, p),
      ]),
    ];
    await expect(
      ingestBulkExport({
        shop,
        source: chunked(lines),
        complete: true,
        productBatchSize: 3,
        afterBatchCommitted: (batch) => {
          if (batch === 2) throw new Error("simulated crash");
        },
      }),
    ).rejects.toThrow("simulated crash");
    const midway = await rowsOf(shop);
    // Whole products only: each product committed has all its variants updated, none half-applied.
    for (const p of midway.products.filter((p) => p.title.startsWith("changed"))) {
      const variant = midway.variants.find((v) => v.id === `${p.id}00`);
      expect(variant.price).toBe("5.00");
    }
    expect(midway.products.filter((p) => p.deleted)).toHaveLength(0); // deletions come last

    const retry = await ingestBulkExport({ shop, source: chunked(lines), complete: true, productBatchSize: 3 });
    expect(retry.productsDeleted).toBe(2);
    const fresh = "fresh.myshopify.com";
    await createConnection(fresh);
    await ingestBulkExport({ shop: fresh, source: chunked(catalogue(10, 2)), complete: true });
    await ingestBulkExport({ shop: fresh, source: chunked(lines), complete: true });
    expect(await rowsOf(shop)).toEqual(await rowsOf(fresh));
    const after = await rowsOf(shop);
    expect(after.products.filter((p) => !p.deleted).map((p) => p.id)).toEqual([
      "1",
      "2",
      "3",
      "4",
      "5",
      "6",
      "7",
      "8",
      "11",
      "12",
    ]);
  });

  it("the last line of an id wins: a product named twice, a variant moved to another product by a later line", async () => {
    const shop = "twice.myshopify.com";
    await createConnection(shop);
    const lines = [
      productLine(1, { title: "first" }),
      variantLine(100, 1, { price: "1.00" }),
      productLine(2),
      productLine(1, { title: "second" }),
      variantLine(100, 2, { price: "2.00" }),
    ];
    // One batch holds both products: without the dedupe, one statement would write a row twice (an error).
    const summary = await ingestBulkExport({ shop, source: chunked(lines), complete: true, productBatchSize: 5 });
    expect(summary).toMatchObject({ productsStaged: 2, variantsStaged: 1, productsWritten: 2, variantsWritten: 1 });
    const { products, variants } = await rowsOf(shop);
    expect(products.map((p) => [p.id, p.title])).toEqual([
      ["1", "second"],
      ["2", "Product 2"],
    ]);
    expect(variants).toEqual([expect.objectContaining({ id: "100", product_id: "2", price: "2.00" })]);
  });

  it("refuses an unknown shop", async () => {
    await expect(
      ingestBulkExport({ shop: "nobody.myshopify.com", source: chunked([]), complete: true }),
    ).rejects.toBeInstanceOf(UnknownShopError);
    expect(await prisma.product.count()).toBeGreaterThanOrEqual(0);
  });
});
